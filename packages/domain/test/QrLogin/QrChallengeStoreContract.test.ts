import { QrChallengeStoreContract } from "../../src/QrLogin/contract/index.js"
import { QrChallengeStoreMemory } from "../../src/QrLogin/memory/index.js"

QrChallengeStoreContract.suite("memory", QrChallengeStoreMemory.layer)
