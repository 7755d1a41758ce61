import { ReadingRepositoryContract } from "../../src/Sensors/contract/index.js"
import { ReadingRepositoryMemory } from "../../src/Sensors/memory/index.js"

ReadingRepositoryContract.suite("memory", ReadingRepositoryMemory.layer)
