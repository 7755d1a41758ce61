export * as QrChallengeStoreContract from "./QrChallengeStoreContract.js"
export * as QrEventsContract from "./QrEventsContract.js"
