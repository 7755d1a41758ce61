export * from "./QrChallenge.js"
export * from "./QrChallengeStore.js"
export * from "./QrEvents.js"
export * from "./QrLogin.js"
