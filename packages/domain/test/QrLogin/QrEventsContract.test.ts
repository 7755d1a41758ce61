import { QrEventsContract } from "../../src/QrLogin/contract/index.js"
import { QrEventsMemory } from "../../src/QrLogin/memory/index.js"

QrEventsContract.suite("memory", QrEventsMemory.layer)
