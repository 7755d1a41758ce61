/**
 * `GET /api/qr/sse/{challengeId}` without a transport: either the problem+json to answer with
 * (a malformed id → 400, an unknown challenge → 404, a store down → 503), or the body of the
 * event stream as text chunks. The body carries the current status first, then every change, each
 * as `id: <status>` / `event: status` / `data: {status, expiresAt}`, a `: keep-alive` comment
 * every heartbeat, and ends after a terminal status. The id is the status itself, so a browser
 * reconnecting with `Last-Event-ID` is not sent any status older than the one it has seen.
 */
import { isQrStatusAfter, IsoInstant, QrChallengeId, QrLogin, QrStatus, type QrStatusView, toValidationError } from "@app/domain"
import { Duration, Effect, Schema, Stream } from "effect"
import type { ApiResponse } from "../HttpExchange.js"
import { failureResponse } from "../Problem.js"

/** The JSON of an `event: status` line's data. */
export const QrStatusEventData = Schema.Struct({ status: QrStatus, expiresAt: IsoInstant })
export type QrStatusEventData = typeof QrStatusEventData.Type

export const DEFAULT_QR_HEARTBEAT = Duration.seconds(15)

/** The comment line sent between events so proxies and browsers keep the connection open. */
export const QR_HEARTBEAT_CHUNK = ": keep-alive\n\n"

export interface QrStatusEventsOptions {
  /** The `Last-Event-ID` request header, if the browser sent one (a reconnect). */
  readonly lastEventId?: string | undefined
  /** How often a heartbeat comment is sent (default 15 seconds). */
  readonly heartbeat?: Duration.Input
}

export type QrStatusEventsOpening =
  | { readonly _tag: "Refused"; readonly response: ApiResponse }
  | { readonly _tag: "Streaming"; readonly body: Stream.Stream<string> }

/** Headers of the event-stream response (proxies must not buffer it, nobody may cache it). */
export const QR_STATUS_EVENTS_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no"
}

const encodeData = Schema.encodeSync(Schema.fromJsonString(QrStatusEventData))

/** One `status` event as it goes on the wire. */
export const qrStatusEventChunk = (view: QrStatusView): string =>
  `id: ${view.status}\nevent: status\ndata: ${encodeData({ status: view.status, expiresAt: view.expiresAt })}\n\n`

const decodeChallengeId = Schema.decodeUnknownEffect(QrChallengeId)
const isQrStatus = Schema.is(QrStatus)

/**
 * Checks the challenge (so a bad or unknown id is a problem+json, not an event stream), then
 * describes the stream. Running the body subscribes; interrupting it unsubscribes.
 */
export const openQrStatusEvents = (
  rawChallengeId: string,
  options: QrStatusEventsOptions = {}
): Effect.Effect<QrStatusEventsOpening, never, QrLogin> =>
  Effect.gen(function*() {
    const qr = yield* QrLogin
    const challengeId = yield* decodeChallengeId(rawChallengeId, { errors: "all" }).pipe(
      Effect.mapError((error) => toValidationError(error, "challengeId"))
    )
    yield* qr.status(challengeId)
    const seen = options.lastEventId?.trim()
    const lastSeen = seen !== undefined && isQrStatus(seen) ? seen : undefined
    const events = Stream.suspend(() => {
      let previous: string | undefined
      return qr.watch(challengeId).pipe(
        // Nothing older than what the client already has; the status it has may be repeated as
        // the current one (the first event), which is harmless and confirms it.
        Stream.filter((view) => {
          const fresh = (lastSeen === undefined || !isQrStatusAfter(view.status, lastSeen)) && view.status !== previous
          if (fresh) previous = view.status
          return fresh
        }),
        Stream.map(qrStatusEventChunk),
        // The response is already 200: a failure can only end it, and the browser reconnects.
        Stream.catch((error) =>
          Stream.drain(Stream.fromEffect(Effect.logWarning("QR status stream ended by a failure", error._tag))))
      )
    })
    const heartbeats = Stream.tick(options.heartbeat ?? DEFAULT_QR_HEARTBEAT).pipe(
      Stream.drop(1),
      Stream.as(QR_HEARTBEAT_CHUNK)
    )
    const body = Stream.merge(events, heartbeats, { haltStrategy: "left" })
    return { _tag: "Streaming", body } as QrStatusEventsOpening
  }).pipe(
    Effect.catch((error) => Effect.succeed<QrStatusEventsOpening>({ _tag: "Refused", response: failureResponse(error) }))
  )
