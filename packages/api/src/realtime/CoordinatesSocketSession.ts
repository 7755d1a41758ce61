/**
 * One `/ws/coordinates` socket: the auth handshake, then team subscriptions, each a fiber holding
 * the domain's `Sensors.livePositions` (already at most one position per device per second) in
 * its own scope. The ack is sent once the bus subscription is in place, so every position
 * published after it is pushed. A failed subscription sends an error frame naming the team and
 * ends; closing the socket ends every subscription.
 */
import { type Auth, type Position, Sensors, type TeamId } from "@app/domain"
import { Effect, Stream } from "effect"
import { type CoordinatesFrame, type CoordinatesServerFrame, decodeCoordinatesClientFrame, encodeCoordinatesServerFrame } from "./RealtimeFrames.js"
import { type RealtimeConnection, type RealtimeSessionOptions, runSubscriptionSession } from "./RealtimeSocket.js"

export const coordinatesFrame = (teamId: TeamId, position: Position): CoordinatesFrame => ({
  type: "coordinates",
  teamId,
  deviceId: position.deviceId,
  x: position.x,
  y: position.y,
  ts: position.ts
})

/** Runs the session until the socket closes or the handshake fails; never fails. */
export const runCoordinatesSession = (
  connection: RealtimeConnection,
  options: RealtimeSessionOptions = {}
): Effect.Effect<void, never, Auth | Sensors> =>
  runSubscriptionSession(connection, options, {
    decode: decodeCoordinatesClientFrame,
    encode: encodeCoordinatesServerFrame,
    plural: "teams",
    keyOf: (frame: { readonly teamId: TeamId }) => frame.teamId,
    named: (teamId) => ({ teamId }),
    unsubscribed: (teamId): CoordinatesServerFrame => ({ type: "unsubscribed", teamId }),
    subscribe: (actor, { teamId }, send) =>
      Effect.scoped(Effect.gen(function*() {
        const positions = yield* (yield* Sensors).livePositions(actor, teamId)
        yield* send({ type: "subscribed", teamId })
        yield* Stream.runForEach(positions, (position) => send(coordinatesFrame(teamId, position)))
      }))
  })
