export * as DeviceRepositoryMemory from "./DeviceRepositoryMemory.js"
export * as LatestReadingCacheMemory from "./LatestReadingCacheMemory.js"
export * as ReadingRepositoryMemory from "./ReadingRepositoryMemory.js"
export * as SensorBusMemory from "./SensorBusMemory.js"
