export * as RateLimiterMemory from "./RateLimiterMemory.js"
