/**
 * Clients of an instance's realtime transports over real sockets, as a browser would use them: a
 * chat WebSocket (`ws`) whose JSON frames are read in order, and a QR status event stream read
 * with node:http and parsed into events. Both wait with deadlines, so a missing frame fails the
 * test instead of hanging it, and both tell a clean end (close frame with its code; the response's
 * last chunk) from a dropped connection.
 */
import { get, type IncomingMessage } from "node:http"
import WebSocket from "ws"

/** Items in arrival order, handed out one at a time, with a deadline. */
class Inbox<A> {
  private readonly items: Array<A> = []
  private readonly waiters: Array<(item: A | undefined) => void> = []
  private ended = false

  push(item: A): void {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter(item)
    else this.items.push(item)
  }

  end(): void {
    this.ended = true
    for (const waiter of this.waiters.splice(0)) waiter(undefined)
  }

  /** The next item; undefined once the source ended; rejects after `timeoutMs`. */
  next(timeoutMs: number, what: string): Promise<A | undefined> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve(item)
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      const waiter = (value: A | undefined) => {
        clearTimeout(timer)
        resolve(value)
      }
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }
}

export type Frame = { readonly type: string; readonly [key: string]: unknown }

export interface Closed {
  readonly code: number
  readonly reason: string
}

export interface ChatSocket {
  readonly send: (frame: unknown) => void
  /** The next frame; rejects on timeout or when the socket closed first. */
  readonly next: (timeoutMs?: number) => Promise<Frame>
  /** Frames until one of `type` (returned); pongs and others in between are skipped. */
  readonly nextOfType: (type: string, timeoutMs?: number) => Promise<Frame>
  /** The close code and reason once the socket closed (1006 when the connection just dropped). */
  readonly closed: Promise<Closed>
  readonly close: () => Promise<Closed>
}

const FRAME_TIMEOUT_MS = 10_000

export const openSocket = (url: string): Promise<ChatSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    const inbox = new Inbox<Frame>()
    const closed = new Promise<Closed>((done) => {
      socket.on("close", (code, reason) => {
        inbox.end()
        done({ code, reason: reason.toString("utf8") })
      })
    })
    socket.on("message", (data, isBinary) => {
      if (!isBinary) inbox.push(JSON.parse(String(data)) as Frame)
    })
    socket.on("error", () => {}) // the close event reports the outcome
    socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
    socket.once("error", reject)
    socket.once("open", () => {
      const next = async (timeoutMs = FRAME_TIMEOUT_MS) => {
        const frame = await inbox.next(timeoutMs, "a frame")
        if (frame === undefined) throw new Error(`the socket closed (${(await closed).code}) before the next frame`)
        return frame
      }
      resolve({
        send: (frame) => socket.send(JSON.stringify(frame)),
        next,
        nextOfType: async (type, timeoutMs = FRAME_TIMEOUT_MS) => {
          for (;;) {
            const frame = await next(timeoutMs)
            if (frame.type === type) return frame
          }
        },
        closed,
        close: () => {
          if (socket.readyState !== WebSocket.CLOSED) socket.close(1000, "done")
          return closed
        }
      })
    })
  })

/** A chat socket on `baseWsUrl` authenticated with `token` (its `authenticated` frame taken). */
export const openChat = async (baseWsUrl: string, token: string): Promise<ChatSocket> => {
  const socket = await openSocket(`${baseWsUrl}/ws/chat`)
  socket.send({ type: "auth", token })
  const ack = await socket.next()
  if (ack.type !== "authenticated") throw new Error(`expected authenticated, got ${JSON.stringify(ack)}`)
  return socket
}

export interface SseEvent {
  readonly id: string | undefined
  readonly event: string
  readonly data: string
}

export interface EventStream {
  readonly status: number
  readonly headers: IncomingMessage["headers"]
  /** The next event (comments skipped); undefined once the stream ended; rejects on timeout. */
  readonly next: (timeoutMs?: number) => Promise<SseEvent | undefined>
  /** The next `status` event's data, parsed. */
  readonly nextStatus: (timeoutMs?: number) => Promise<{ readonly status: string } | undefined>
  /** Settles when the response is over: "ended" when the server finished it, "dropped" otherwise. */
  readonly finished: Promise<"ended" | "dropped">
  readonly close: () => void
}

const parseEvent = (block: string): SseEvent | undefined => {
  let event = "message"
  let id: string | undefined
  const data: Array<string> = []
  let fields = 0
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === "" || line.startsWith(":")) continue
    const colon = line.indexOf(":")
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
    fields++
    if (field === "event") event = value
    else if (field === "data") data.push(value)
    else if (field === "id") id = value
  }
  return fields === 0 ? undefined : { id, event, data: data.join("\n") }
}

/** Opens `url` as an event stream on a connection of its own. */
export const openEventStream = (url: string): Promise<EventStream> =>
  new Promise((resolve, reject) => {
    const request = get(url, { agent: false, headers: { accept: "text/event-stream" } }, (response) => {
      const inbox = new Inbox<SseEvent>()
      let buffer = ""
      let outcome: "ended" | "dropped" | undefined
      const finished = new Promise<"ended" | "dropped">((done) => {
        const settle = (how: "ended" | "dropped") => {
          if (outcome !== undefined) return
          outcome = how
          inbox.end()
          done(how)
        }
        response.on("end", () => settle("ended"))
        response.on("aborted", () => settle("dropped"))
        response.on("error", () => settle("dropped"))
        response.on("close", () => settle(response.complete ? "ended" : "dropped"))
      })
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        buffer += chunk
        for (;;) {
          const boundary = /\r\n\r\n|\n\n|\r\r/.exec(buffer)
          if (boundary === null) break
          const event = parseEvent(buffer.slice(0, boundary.index))
          buffer = buffer.slice(boundary.index + boundary[0].length)
          if (event !== undefined) inbox.push(event)
        }
      })
      const next = (timeoutMs = FRAME_TIMEOUT_MS) => inbox.next(timeoutMs, "an SSE event")
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        next,
        nextStatus: async (timeoutMs = FRAME_TIMEOUT_MS) => {
          for (;;) {
            const event = await next(timeoutMs)
            if (event === undefined) return undefined
            if (event.event === "status") return JSON.parse(event.data) as { status: string }
          }
        },
        finished,
        close: () => request.destroy()
      })
    })
    request.on("error", reject)
  })

/** Settles within `ms` or rejects naming `what`. */
export const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })
