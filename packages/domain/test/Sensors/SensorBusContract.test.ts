import { SensorBusContract } from "../../src/Sensors/contract/index.js"
import { SensorBusMemory } from "../../src/Sensors/memory/index.js"

SensorBusContract.suite("memory", SensorBusMemory.layer)
