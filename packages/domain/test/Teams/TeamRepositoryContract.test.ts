import { TeamRepositoryContract } from "../../src/Teams/contract/index.js"
import { TeamRepositoryMemory } from "../../src/Teams/memory/index.js"

TeamRepositoryContract.suite("memory", TeamRepositoryMemory.layer, { numRuns: 100 })
