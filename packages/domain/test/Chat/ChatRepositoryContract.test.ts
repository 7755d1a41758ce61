import { ChatRepositoryContract } from "../../src/Chat/contract/index.js"
import { ChatRepositoryMemory } from "../../src/Chat/memory/index.js"

ChatRepositoryContract.suite("memory", ChatRepositoryMemory.layer)
