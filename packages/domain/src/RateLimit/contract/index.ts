export * as RateLimiterContract from "./RateLimiterContract.js"
