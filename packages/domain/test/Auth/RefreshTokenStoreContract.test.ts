import { RefreshTokenStoreContract } from "../../src/Auth/contract/index.js"
import { RefreshTokenStoreMemory } from "../../src/Auth/memory/index.js"

RefreshTokenStoreContract.suite("memory", RefreshTokenStoreMemory.layer)
