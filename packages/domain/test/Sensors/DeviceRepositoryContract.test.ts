import { DeviceRepositoryContract } from "../../src/Sensors/contract/index.js"
import { DeviceRepositoryMemory } from "../../src/Sensors/memory/index.js"

DeviceRepositoryContract.suite("memory", DeviceRepositoryMemory.layer)
