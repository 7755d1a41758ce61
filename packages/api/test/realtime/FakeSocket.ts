/**
 * A socket as a session sees it, driven from a test: frames in through the session's Queue, every
 * frame the session sends decoded with the server-frame schema (so a test also proves each frame
 * is well formed), and the close code the session chose.
 */
import { type Cause, Deferred, Duration, Effect, Exit, Option, Queue, type Result } from "effect"
import type { RealtimeConnection } from "../../src/realtime/RealtimeSocket.js"

export interface Closed {
  readonly code: number
  readonly reason: string
}

export type AnyFrame = Record<string, unknown> & { readonly type: string }

export const openFakeSocket = (decodeServerFrame: (text: string) => Result.Result<unknown, unknown>) =>
  Effect.gen(function*() {
    const incoming = yield* Queue.unbounded<string, Cause.Done>()
    const outgoing = yield* Queue.unbounded<AnyFrame>()
    const closed = yield* Deferred.make<Closed>()
    const malformed: Array<string> = []
    const connection: RealtimeConnection = {
      incoming,
      send: (text) => {
        if (decodeServerFrame(text)._tag === "Failure") malformed.push(text)
        Queue.offerUnsafe(outgoing, JSON.parse(text) as AnyFrame)
      },
      close: (code, reason) => {
        Deferred.doneUnsafe(closed, Exit.succeed({ code, reason }))
      }
    }
    /** The next frame the session sent (fails the test after 5 s). */
    const next = Queue.take(outgoing).pipe(Effect.timeout(Duration.seconds(5)))
    return {
      connection,
      /** Sends a frame (an object is sent as JSON, a string as is). */
      send: (frame: unknown) => Queue.offer(incoming, typeof frame === "string" ? frame : JSON.stringify(frame)),
      /** The client closes its socket. */
      end: Queue.end(incoming),
      next,
      /** The next frame, which must be of `type`. */
      expect: (type: string) =>
        Effect.flatMap(next, (frame) =>
          frame.type === type ? Effect.succeed(frame) : Effect.die(new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`))),
      /** Frames sent within `millis` from now (none expected → []). */
      quietFor: (millis: number) => Effect.andThen(Effect.sleep(millis), Queue.clear(outgoing)),
      pending: Queue.poll(outgoing).pipe(Effect.map(Option.getOrUndefined)),
      closed: Deferred.await(closed).pipe(Effect.timeout(Duration.seconds(5))),
      isClosed: Deferred.isDone(closed),
      /** Frames that did not decode with the server-frame schema. */
      malformed
    }
  })
