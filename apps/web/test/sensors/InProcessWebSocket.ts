/**
 * A browser WebSocket for component tests whose other end is the real `/ws/coordinates` session
 * of packages/api (runCoordinatesSession) on the test's in-process product: the same frames, the
 * same auth, the same live positions published by real ingest. Only the transport is replaced —
 * frames are delivered asynchronously, as a socket delivers them. `drop()` cuts a connection as a
 * network failure would (close code 1006), to test reconnecting.
 */
import { runCoordinatesSession, type RealtimeConnection } from "@app/api"
import { type Cause, Effect, Fiber, Queue } from "effect"
import type { TestApi } from "../support/TestApi"

export interface InProcessSocket {
  readonly url: string
  /** Every text frame the client sent, parsed. */
  readonly sent: Array<{ readonly type: string; readonly [key: string]: unknown }>
  readonly isClosed: () => boolean
  /** Ends the connection from the network's side: the session stops, the client sees 1006. */
  readonly drop: () => void
}

export interface InProcessWebSockets {
  /** The WebSocket class to put on globalThis. */
  readonly WebSocket: new (url: string) => unknown
  /** Every socket opened so far, in order. */
  readonly sockets: Array<InProcessSocket>
  readonly open: () => ReadonlyArray<InProcessSocket>
}

type Handler<E> = ((event: E) => void) | null

export const makeInProcessWebSockets = (testApi: TestApi): InProcessWebSockets => {
  const runtime = testApi.api.runtime
  const sockets: Array<InProcessSocket> = []
  const later = (run: () => void) => void setTimeout(run, 0)

  class Socket implements InProcessSocket {
    static readonly CONNECTING = 0
    static readonly OPEN = 1
    static readonly CLOSING = 2
    static readonly CLOSED = 3
    readyState = 0
    onopen: Handler<unknown> = null
    onmessage: Handler<{ readonly data: unknown }> = null
    onclose: Handler<{ readonly code: number; readonly reason: string }> = null
    onerror: Handler<unknown> = null
    readonly sent: Array<{ readonly type: string; readonly [key: string]: unknown }> = []
    private readonly incoming: Queue.Queue<string, Cause.Done>
    private readonly session: Fiber.Fiber<void, never>

    constructor(readonly url: string) {
      sockets.push(this)
      this.incoming = Effect.runSync(Queue.unbounded<string, Cause.Done>())
      const connection: RealtimeConnection = {
        incoming: this.incoming,
        send: (text) => later(() => {
          if (this.readyState === 1) this.onmessage?.({ data: text })
        }),
        close: (code, reason) => this.finish(code, reason)
      }
      this.session = runtime.runFork(runCoordinatesSession(connection))
      later(() => {
        if (this.readyState !== 0) return
        this.readyState = 1
        this.onopen?.({})
      })
    }

    send(text: string) {
      if (this.readyState !== 1) throw new Error("InvalidStateError: the socket is not open")
      this.sent.push(JSON.parse(text) as { type: string })
      Queue.offerUnsafe(this.incoming, text)
    }

    close(code = 1000, reason = "") {
      this.finish(code, reason)
    }

    drop() {
      this.finish(1006, "")
    }

    isClosed() {
      return this.readyState === 3
    }

    private finish(code: number, reason: string) {
      if (this.readyState === 3) return
      this.readyState = 3
      Queue.endUnsafe(this.incoming)
      void Effect.runPromise(Fiber.interrupt(this.session))
      later(() => this.onclose?.({ code, reason }))
    }
  }

  return { WebSocket: Socket, sockets, open: () => sockets.filter((s) => !s.isClosed()) }
}
