import { PlatformConfigRepositoryContract } from "../../src/Platforms/contract/index.js"
import { PlatformConfigRepositoryMemory } from "../../src/Platforms/memory/index.js"

PlatformConfigRepositoryContract.suite("memory", PlatformConfigRepositoryMemory.layer)
