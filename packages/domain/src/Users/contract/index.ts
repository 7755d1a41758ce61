export * as UserRepositoryContract from "./UserRepositoryContract.js"
