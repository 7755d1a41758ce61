export * from "./User.js"
export * from "./UserRepository.js"
export * from "./Users.js"
