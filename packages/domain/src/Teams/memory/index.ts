/** In-memory adapters of the Teams area. */
export * as TeamRepositoryMemory from "./TeamRepositoryMemory.js"
