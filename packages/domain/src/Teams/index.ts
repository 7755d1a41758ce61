/** The Teams area: entities, the repository port and its error, and the use cases. */
export * from "./Team.js"
export * from "./TeamRepository.js"
export * from "./Teams.js"
