/**
 * Live fan-out of newly stored readings to the dashboards of a team: in process over a PubSub,
 * across server instances over Redis pub/sub (003 pushes coordinates every second). Delivery is
 * best effort and at most once; the bus is for live views, never the record.
 */
import { type Scope, type Stream, Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { TeamId } from "../Teams/Team.js"
import type { Reading } from "./Reading.js"

export class SensorBusError extends Schema.TaggedError<SensorBusError>()("SensorBusError", {
  reason: StoreFailure
}) {}

export class SensorBus extends Context.Service<SensorBus, {
  /** Hands a batch of readings of the team's devices to every current subscriber of the team. */
  readonly publish: (teamId: TeamId, readings: ReadonlyArray<Reading>) => Effect.Effect<void, SensorBusError>
  /**
   * Subscribes to a team for the life of the enclosing Scope. When the effect succeeds the
   * subscription is in place: every reading published afterwards is delivered to the stream, in
   * publish order, and nothing of another team. A subscriber that falls far behind loses the
   * oldest undelivered readings rather than slowing publishers. The stream ends when the scope
   * closes; a broken connection fails it with SensorBusError.
   */
  readonly subscribe: (teamId: TeamId) => Effect.Effect<Stream.Stream<Reading, SensorBusError>, SensorBusError, Scope.Scope>
}>()("@app/domain/Sensors/SensorBus") {}
