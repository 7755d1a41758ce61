import { SyncLockContract } from "../../src/Platforms/contract/index.js"
import { SyncLockMemory } from "../../src/Platforms/memory/index.js"

SyncLockContract.suite("memory", SyncLockMemory.layer)
