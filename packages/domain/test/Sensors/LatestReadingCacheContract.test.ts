import { LatestReadingCacheContract } from "../../src/Sensors/contract/index.js"
import { LatestReadingCacheMemory } from "../../src/Sensors/memory/index.js"

LatestReadingCacheContract.suite("memory", LatestReadingCacheMemory.layer)
