export * as ChatBusMemory from "./ChatBusMemory.js"
export * as ChatRepositoryMemory from "./ChatRepositoryMemory.js"
