export * as DeviceRepositoryContract from "./DeviceRepositoryContract.js"
export * as LatestReadingCacheContract from "./LatestReadingCacheContract.js"
export * as ReadingRepositoryContract from "./ReadingRepositoryContract.js"
export * as SensorBusContract from "./SensorBusContract.js"
