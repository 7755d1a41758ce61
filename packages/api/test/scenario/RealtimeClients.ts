/**
 * Minimal clients of the server's realtime transports as a browser would use them: a WebSocket
 * (the `ws` package) whose JSON frames are read one at a time, and an SSE stream read with fetch
 * and parsed into events. Both wait with a deadline, so a missing frame fails the test instead of
 * hanging it.
 */
import WebSocket from "ws"

/** Frames and events arrive in order; `next` hands them out one by one. */
class Inbox<A> {
  private readonly items: Array<A> = []
  private readonly waiters: Array<(item: A | undefined) => void> = []
  private ended = false

  push(item: A) {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter(item)
    else this.items.push(item)
  }

  end() {
    this.ended = true
    for (const waiter of this.waiters.splice(0)) waiter(undefined)
  }

  /** The next item; undefined when the source ended first; rejects after `timeoutMs`. */
  next(timeoutMs: number, what: string): Promise<A | undefined> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve(item)
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      const waiter = (value: A | undefined) => {
        clearTimeout(timer)
        resolve(value)
      }
      this.waiters.push(waiter)
    })
  }

  /** Whatever arrived and has not been taken. */
  drain(): Array<A> {
    return this.items.splice(0)
  }
}

export type Frame = { readonly type: string; readonly [key: string]: unknown }

export interface SocketClient {
  readonly send: (frame: unknown) => void
  readonly sendText: (text: string) => void
  /** The next frame; rejects on timeout or when the socket closed first. */
  readonly next: (timeoutMs?: number) => Promise<Frame>
  /** Frames until one of `type` arrives (that one included), for skipping e.g. pongs. */
  readonly nextOfType: (type: string, timeoutMs?: number) => Promise<Frame>
  /** Resolves with the close code once the socket is closed. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>
  readonly close: () => Promise<void>
  readonly drain: () => Array<Frame>
}

const FRAME_TIMEOUT_MS = 5_000

export const openSocket = (url: string): Promise<SocketClient> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    const inbox = new Inbox<Frame>()
    const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => {
      socket.on("close", (code, reason) => {
        inbox.end()
        resolveClosed({ code, reason: reason.toString("utf8") })
      })
    })
    socket.on("message", (data, isBinary) => {
      if (isBinary) return
      inbox.push(JSON.parse(data.toString()) as Frame)
    })
    socket.once("error", reject)
    socket.once("open", () => {
      const next = async (timeoutMs = FRAME_TIMEOUT_MS) => {
        const frame = await inbox.next(timeoutMs, "a frame")
        if (frame === undefined) throw new Error(`the socket closed (${(await closed).code}) before the next frame`)
        return frame
      }
      resolve({
        send: (frame) => socket.send(JSON.stringify(frame)),
        sendText: (text) => socket.send(text),
        next,
        nextOfType: async (type, timeoutMs = FRAME_TIMEOUT_MS) => {
          for (;;) {
            const frame = await next(timeoutMs)
            if (frame.type === type) return frame
          }
        },
        closed,
        close: async () => {
          if (socket.readyState !== WebSocket.CLOSED) socket.close(1000, "done")
          await closed
        },
        drain: () => inbox.drain()
      })
    })
  })

export interface SseEvent {
  readonly event: string
  readonly data: string
}

export interface SseClient {
  readonly status: number
  readonly contentType: string
  /** The next event (comments are skipped); undefined when the stream ended; rejects on timeout. */
  readonly next: (timeoutMs?: number) => Promise<SseEvent | undefined>
  /** Resolves when the server has closed the stream. */
  readonly ended: Promise<void>
  readonly close: () => void
}

/** Splits a stream of text into SSE events (RFC: blank-line separated, `field: value` lines). */
const parseEvent = (block: string): SseEvent | undefined => {
  let event = "message"
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
  }
  return fields === 0 ? undefined : { event, data: data.join("\n") }
}

export const openSse = async (url: string): Promise<SseClient> => {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: "text/event-stream" }, signal: controller.signal })
  const inbox = new Inbox<SseEvent>()
  const ended = (async () => {
    if (response.body === null) return
    const decoder = new TextDecoder()
    let buffer = ""
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        for (;;) {
          const boundary = /\r\n\r\n|\n\n|\r\r/.exec(buffer)
          if (boundary === null) break
          const event = parseEvent(buffer.slice(0, boundary.index))
          buffer = buffer.slice(boundary.index + boundary[0].length)
          if (event !== undefined) inbox.push(event)
        }
      }
    } catch {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    } finally {
      inbox.end()
    }
  })()
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    next: (timeoutMs = FRAME_TIMEOUT_MS) => inbox.next(timeoutMs, "an SSE event"),
    ended,
    close: () => controller.abort()
  }
}

/** Settles within `ms` or rejects: for "the server closes the stream" assertions. */
export const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error))
    )
  })
