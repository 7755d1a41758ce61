import { CampaignRepositoryContract } from "../../src/Platforms/contract/index.js"
import { CampaignRepositoryMemory } from "../../src/Platforms/memory/index.js"

CampaignRepositoryContract.suite("memory", CampaignRepositoryMemory.layer)
