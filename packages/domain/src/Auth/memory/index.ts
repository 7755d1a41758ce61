export * as RefreshTokenStoreMemory from "./RefreshTokenStoreMemory.js"
