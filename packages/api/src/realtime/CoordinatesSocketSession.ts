/**
 * One `/ws/coordinates` socket: the auth handshake, then team subscriptions, each a fiber holding
 * the domain's `Sensors.livePositions` (already at most one position per device per second) in
 * its own scope. The ack is sent once the bus subscription is in place, so every position
 * published after it is pushed. A failed subscription sends an error frame naming the team and
 * ends; closing the socket ends every subscription.
 */
import { type Actor, type Auth, type Position, Sensors, type TeamId } from "@app/domain"
import { Effect, FiberMap, Stream } from "effect"
import {
  type CoordinatesFrame,
  type CoordinatesServerFrame,
  decodeCoordinatesClientFrame,
  encodeCoordinatesServerFrame,
  realtimeError
} from "./RealtimeFrames.js"
import {
  authenticate,
  DEFAULT_MAX_SUBSCRIPTIONS,
  endFailedSubscription,
  type RealtimeConnection,
  type RealtimeSessionOptions,
  subscribeKeyed
} from "./RealtimeSocket.js"

export const coordinatesFrame = (teamId: TeamId, position: Position): CoordinatesFrame => ({
  type: "coordinates",
  teamId,
  deviceId: position.deviceId,
  x: position.x,
  y: position.y,
  ts: position.ts
})

/**
 * Runs the session until the client's frames end (the socket closed) or the handshake fails.
 * Never fails: every problem becomes an error frame (or a close).
 */
export const runCoordinatesSession = (
  connection: RealtimeConnection,
  options: RealtimeSessionOptions = {}
): Effect.Effect<void, never, Auth | Sensors> =>
  Effect.scoped(Effect.gen(function*() {
    const actor = yield* authenticate(connection, decodeCoordinatesClientFrame, options.authTimeout)
    if (actor._tag === "None") return
    const sensors = yield* Sensors
    const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS
    const subscriptions = yield* FiberMap.make<TeamId>()
    const send = (frame: CoordinatesServerFrame) => Effect.sync(() => connection.send(encodeCoordinatesServerFrame(frame)))

    yield* send({ type: "authenticated", userId: actor.value.userId })

    const watch = (user: Actor, teamId: TeamId) =>
      Effect.scoped(Effect.gen(function*() {
        const positions = yield* sensors.livePositions(user, teamId)
        yield* send({ type: "subscribed", teamId })
        yield* Stream.runForEach(positions, (position) => send(coordinatesFrame(teamId, position)))
      })).pipe(Effect.catchCause((cause) => endFailedSubscription(cause, { teamId }, send)))

    yield* Stream.fromQueue(connection.incoming).pipe(
      Stream.runForEach((text) =>
        Effect.gen(function*() {
          const decoded = decodeCoordinatesClientFrame(text)
          if (decoded._tag === "Failure") return yield* send(decoded.failure)
          const frame = decoded.success
          switch (frame.type) {
            case "ping":
              return yield* send({ type: "pong" })
            case "auth":
              return yield* send(realtimeError("BadFrame", "already authenticated"))
            case "subscribe": {
              return yield* subscribeKeyed(
                subscriptions,
                frame.teamId,
                maxSubscriptions,
                send(realtimeError("TooManySubscriptions", `at most ${maxSubscriptions} teams per socket`, { teamId: frame.teamId })),
                watch(actor.value, frame.teamId)
              )
            }
            case "unsubscribe":
              yield* FiberMap.remove(subscriptions, frame.teamId)
              return yield* send({ type: "unsubscribed", teamId: frame.teamId })
          }
        })
      )
    )
  }))
