/**
 * What the chat and coordinates sessions share: the socket as the sessions see it (text frames in
 * through a Queue, `send` and `close` callbacks out — no WebSocket library here, so any shell can
 * drive a session), the auth handshake every socket starts with, and the mapping of a use case's
 * failure to an error frame.
 */
import { Auth, type Actor, type UserId } from "@app/domain"
import { Cause, Duration, Effect, FiberMap, Option, Queue, type Result, Stream } from "effect"
import {
  encodeRealtimeErrorFrame,
  RealtimeCloseCode,
  type RealtimeAuthFrame,
  type RealtimeErrorFrame,
  realtimeError
} from "./RealtimeFrames.js"

/** One client's socket, from the session's side. */
export interface RealtimeConnection {
  /** The client's text frames, in order; ended (`Queue.end`) when the socket closes. */
  readonly incoming: Queue.Dequeue<string, Cause.Done>
  /** Sends one text frame; never throws (a closed socket drops it). */
  readonly send: (text: string) => void
  /** Closes the socket; the session returns right after calling it. */
  readonly close: (code: number, reason: string) => void
}

export interface RealtimeSessionOptions {
  /** How long a new socket may take to send its auth frame (default 10 seconds). */
  readonly authTimeout?: Duration.Input
  /** Most subscriptions one socket may hold at once (default 100). */
  readonly maxSubscriptions?: number
}

export const DEFAULT_AUTH_TIMEOUT = Duration.seconds(10)
export const DEFAULT_MAX_SUBSCRIPTIONS = 100

/** The domain's outcome classes that carry a `code` naming the precise rule. */
const codedOutcomes = new Set(["Unauthenticated", "Forbidden", "Conflict", "Gone"])

interface Tagged {
  readonly _tag: string
  readonly [key: string]: unknown
}

const isTagged = (u: unknown): u is Tagged =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string"

/**
 * The error frame for a failed use case: the domain's refusals by kind (with their message, which
 * never carries secrets), and any store, bus or token-service failure as "Unavailable" — the
 * client subscribes again (with the last seq it saw) after a moment.
 */
export const failureFrame = (
  error: unknown,
  extra: Pick<RealtimeErrorFrame, "roomId" | "teamId"> = {}
): RealtimeErrorFrame => {
  if (isTagged(error)) {
    const message = typeof error["message"] === "string" ? error["message"] : error._tag
    if (error._tag === "ValidationError" && Array.isArray(error["errors"])) {
      const errors = (error["errors"] as ReadonlyArray<{ readonly path: string; readonly message: string }>)
        .map(({ message, path }) => ({ path, message }))
      return realtimeError("ValidationError", "the frame is not valid", { errors, ...extra })
    }
    if (error._tag === "NotFound") return realtimeError("NotFound", message, extra)
    if (codedOutcomes.has(error._tag)) {
      const reason = typeof error["code"] === "string" ? { reason: error["code"] } : {}
      return realtimeError(error._tag, message, { ...reason, ...extra })
    }
  }
  return realtimeError("Unavailable", "a service is not answering; subscribe again in a moment", extra)
}

/** Whether a failure is a dependency's (worth a warning in the log) rather than a refusal. */
export const isInfrastructureFailure = (error: unknown): boolean =>
  !isTagged(error) ||
  !["ValidationError", "NotFound", "Unauthenticated", "Forbidden", "Conflict", "Gone", "RateLimited"].includes(error._tag)

const refuse = (connection: RealtimeConnection, frame: RealtimeErrorFrame, closeCode: number, reason: string) =>
  Effect.sync(() => {
    connection.send(encodeRealtimeErrorFrame(frame))
    connection.close(closeCode, reason)
  }).pipe(Effect.as(Option.none<Actor>()))

/**
 * Waits for the first frame, which must be a valid `{type:"auth", token}`, and verifies the
 * token. Anything else — a late, malformed or other first frame, an invalid token — is answered
 * with an error frame and closes the socket with 4401 (1013 when the token service itself
 * failed); the result is then None, as it is when the socket closed first.
 */
export const authenticate = <Frame extends { readonly type: string }>(
  connection: RealtimeConnection,
  decode: (text: string) => Result.Result<Frame, RealtimeErrorFrame>,
  authTimeout: Duration.Input = DEFAULT_AUTH_TIMEOUT
): Effect.Effect<Option.Option<Actor>, never, Auth> =>
  Effect.gen(function*() {
    const auth = yield* Auth
    const first = yield* Queue.take(connection.incoming).pipe(
      Effect.timeoutOption(authTimeout),
      Effect.map((text) => ({ _tag: "Frame" as const, text })),
      Effect.catch(() => Effect.succeed({ _tag: "Closed" as const }))
    )
    if (first._tag === "Closed") return Option.none()
    if (Option.isNone(first.text)) {
      return yield* refuse(
        connection,
        realtimeError("Unauthenticated", "no auth frame was sent in time"),
        RealtimeCloseCode.Unauthenticated,
        "authentication timeout"
      )
    }
    const decoded = decode(first.text.value)
    if (decoded._tag === "Failure") {
      return yield* refuse(connection, decoded.failure, RealtimeCloseCode.Unauthenticated, "authentication required")
    }
    if (decoded.success.type !== "auth") {
      return yield* refuse(
        connection,
        realtimeError("Unauthenticated", "the first frame must be {\"type\":\"auth\",\"token\":…}"),
        RealtimeCloseCode.Unauthenticated,
        "authentication required"
      )
    }
    const token = (decoded.success as unknown as RealtimeAuthFrame).token
    const verified = yield* Effect.result(auth.verify(token))
    if (verified._tag === "Success") return Option.some(verified.success)
    const failure = verified.failure
    if (failure._tag === "Unauthenticated") {
      return yield* refuse(connection, failureFrame(failure), RealtimeCloseCode.Unauthenticated, "invalid token")
    }
    yield* Effect.logWarning("realtime: the access-token service failed", failure.reason._tag)
    return yield* refuse(connection, failureFrame(failure), RealtimeCloseCode.TryAgainLater, "try again later")
  })

/** The client frames every subscription socket understands, whatever it subscribes to. */
type SessionClientFrame =
  | { readonly type: "auth" }
  | { readonly type: "ping" }
  | { readonly type: "subscribe" }
  | { readonly type: "unsubscribe" }

/** The server frames every subscription socket sends besides its own. */
type SessionServerFrame =
  | { readonly type: "authenticated"; readonly userId: UserId }
  | { readonly type: "pong" }
  | RealtimeErrorFrame

/** What a socket subscribes to (rooms, teams) and how one subscription runs. */
export interface SubscriptionProtocol<F extends SessionClientFrame, S, K, R> {
  readonly decode: (text: string) => Result.Result<F, RealtimeErrorFrame>
  /** Encodes the socket's frames; S includes the session's own (authenticated, pong, error). */
  readonly encode: (frame: S) => string
  /** "rooms", "teams": for the refusal beyond `maxSubscriptions`. */
  readonly plural: string
  readonly keyOf: (frame: Extract<F, { readonly type: "subscribe" }> | Extract<F, { readonly type: "unsubscribe" }>) => K
  /** The subscription's field on error frames: `{ roomId }`, `{ teamId }`. */
  readonly named: (key: K) => Pick<RealtimeErrorFrame, "roomId" | "teamId">
  readonly unsubscribed: (key: K) => S
  /** Runs one subscription: it acknowledges itself once in place, then pushes until interrupted. */
  readonly subscribe: (
    actor: Actor,
    frame: Extract<F, { readonly type: "subscribe" }>,
    send: (frame: S) => Effect.Effect<void>
  ) => Effect.Effect<void, unknown, R>
}

/**
 * One subscription socket: the auth handshake, then subscriptions as fibers keyed by what they
 * follow. Subscribing again to a key replaces its subscription (the old one is stopped before the
 * new one can send anything); a new key beyond `maxSubscriptions` is refused. A subscription that
 * fails sends an error frame naming its key, and a dependency's failure is logged; the client
 * subscribes again. Runs until the client's frames end (the socket closed) or the handshake
 * fails. Never fails: every problem becomes an error frame (or a close).
 */
export const runSubscriptionSession = <F extends SessionClientFrame, S, K, R>(
  connection: RealtimeConnection,
  options: RealtimeSessionOptions,
  protocol: SubscriptionProtocol<F, S, K, R>
): Effect.Effect<void, never, Auth | R> =>
  Effect.scoped(Effect.gen(function*() {
    const actor = yield* authenticate(connection, protocol.decode, options.authTimeout)
    if (Option.isNone(actor)) return
    const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS
    const subscriptions = yield* FiberMap.make<K>()
    const send = (frame: S) => Effect.sync(() => connection.send(protocol.encode(frame)))
    // Every socket's frame union includes these (the protocol's encoder is typed by it).
    const sendOwn = (frame: SessionServerFrame) => send(frame as unknown as S)

    const endFailed = (key: K) => (cause: Cause.Cause<unknown>) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
      const error = Cause.squash(cause)
      const warn = isInfrastructureFailure(error)
        ? Effect.logWarning("a realtime subscription failed; the client is told to subscribe again", protocol.named(key), Cause.pretty(cause))
        : Effect.void
      return Effect.andThen(warn, sendOwn(failureFrame(error, protocol.named(key))))
    }

    const subscribe = (frame: Extract<F, { readonly type: "subscribe" }>) =>
      Effect.gen(function*() {
        const key = protocol.keyOf(frame)
        const replacing = yield* FiberMap.has(subscriptions, key)
        if (!replacing && (yield* FiberMap.size(subscriptions)) >= maxSubscriptions) {
          return yield* sendOwn(realtimeError("TooManySubscriptions", `at most ${maxSubscriptions} ${protocol.plural} per socket`, protocol.named(key)))
        }
        yield* FiberMap.remove(subscriptions, key)
        yield* FiberMap.run(
          subscriptions,
          key,
          protocol.subscribe(actor.value, frame, send).pipe(Effect.catchCause(endFailed(key)))
        )
      })

    yield* sendOwn({ type: "authenticated", userId: actor.value.userId })
    yield* Stream.fromQueue(connection.incoming).pipe(
      Stream.runForEach((text) => {
        const decoded = protocol.decode(text)
        if (decoded._tag === "Failure") return sendOwn(decoded.failure)
        const frame = decoded.success
        switch (frame.type) {
          case "ping":
            return sendOwn({ type: "pong" })
          case "auth":
            return sendOwn(realtimeError("BadFrame", "already authenticated"))
          case "subscribe":
            return subscribe(frame as Extract<F, { readonly type: "subscribe" }>)
          case "unsubscribe": {
            const key = protocol.keyOf(frame as Extract<F, { readonly type: "unsubscribe" }>)
            return FiberMap.remove(subscriptions, key).pipe(Effect.andThen(send(protocol.unsubscribed(key))))
          }
        }
      })
    )
  }))
