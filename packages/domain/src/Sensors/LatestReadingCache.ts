/**
 * The latest reading of each device, kept where dashboards read it cheaply (Redis in 003; a Lua
 * script makes the compare-and-set one step). "Latest" is by measured ts: offer keeps a reading
 * only if its ts is greater than the cached one's, atomically, so a late-arriving older reading or
 * a slower concurrent writer never replaces a newer one. The cache is never the record: a miss is
 * answered from the ReadingRepository.
 */
import { Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { DeviceId } from "./Device.js"
import type { Reading } from "./Reading.js"

export class LatestReadingCacheError extends Schema.TaggedError<LatestReadingCacheError>()("LatestReadingCacheError", {
  reason: StoreFailure
}) {}

export class LatestReadingCache extends Context.Service<LatestReadingCache, {
  /**
   * Caches `reading` as its device's latest if no reading of that device is cached or the cached
   * one has a smaller ts (one atomic compare-and-set). True when it was kept.
   */
  readonly offer: (reading: Reading) => Effect.Effect<boolean, LatestReadingCacheError>
  /** The cached readings of `deviceIds`, in that order, skipping devices with nothing cached. */
  readonly get: (deviceIds: ReadonlyArray<DeviceId>) => Effect.Effect<ReadonlyArray<Reading>, LatestReadingCacheError>
}>()("@app/domain/Sensors/LatestReadingCache") {}
