export * as QrChallengeStoreMemory from "./QrChallengeStoreMemory.js"
export * as QrEventsMemory from "./QrEventsMemory.js"
