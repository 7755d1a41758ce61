import { RateLimiterContract } from "../../src/RateLimit/contract/index.js"
import { RateLimiterMemory } from "../../src/RateLimit/memory/index.js"

RateLimiterContract.suite("memory", RateLimiterMemory.layer)
