import { UserRepositoryContract } from "../../src/Users/contract/index.js"
import { UserRepositoryMemory } from "../../src/Users/memory/index.js"

UserRepositoryContract.suite("memory", UserRepositoryMemory.layer)
