export * as RefreshTokenStoreContract from "./RefreshTokenStoreContract.js"
