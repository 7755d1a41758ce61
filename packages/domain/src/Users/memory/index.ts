export * as UserRepositoryMemory from "./UserRepositoryMemory.js"
