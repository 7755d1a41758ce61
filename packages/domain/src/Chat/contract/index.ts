export * as ChatBusContract from "./ChatBusContract.js"
export * as ChatRepositoryContract from "./ChatRepositoryContract.js"
