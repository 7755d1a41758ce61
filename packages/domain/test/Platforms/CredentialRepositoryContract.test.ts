import { CredentialRepositoryContract } from "../../src/Platforms/contract/index.js"
import { CredentialRepositoryMemory } from "../../src/Platforms/memory/index.js"

CredentialRepositoryContract.suite("memory", CredentialRepositoryMemory.layer)
