/**
 * Clients of the realtime transports as a browser would use them, for every test that speaks to
 * them over real sockets (the contract's scenarios and the server's own tests): a WebSocket (the
 * `ws` package) whose JSON frames are read in order, and an SSE stream read with fetch and parsed
 * into blocks. Both wait with a deadline, so a missing frame fails the test instead of hanging it,
 * and both tell a clean end (a close frame with its code; the response's last chunk) from a
 * dropped connection.
 */
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

  /** Whatever arrived and has not been taken. */
  drain(): Array<A> {
    return this.items.splice(0)
  }
}

/** How long `next` and its kin wait unless told otherwise. */
const DEFAULT_TIMEOUT_MS = 5_000

export interface ClientOptions {
  /** The default deadline of every wait on this client (5 000 ms unless given). */
  readonly timeoutMs?: number
}

// ---------------------------------------------------------------------------------------------
// WebSocket

export type Frame = { readonly type: string; readonly [key: string]: unknown }

export interface Closed {
  readonly code: number
  readonly reason: string
}

export interface SocketClient {
  /** The `ws` socket itself, for tests that misbehave on purpose (binary frames, terminate). */
  readonly socket: WebSocket
  /** Sends `frame` as JSON. */
  readonly send: (frame: unknown) => void
  /** Sends `text` as it is (for frames that are not JSON). */
  readonly sendText: (text: string) => void
  /** The next frame; rejects on timeout or when the socket closed first. */
  readonly next: (timeoutMs?: number) => Promise<Frame>
  /** The next frame, which must be of `type`. */
  readonly expect: (type: string, timeoutMs?: number) => Promise<Frame>
  /** Frames until one of `type` (returned); pongs and others in between are skipped. */
  readonly nextOfType: (type: string, timeoutMs?: number) => Promise<Frame>
  /** Every frame that arrives within `millis` (and any not taken yet). */
  readonly quietFor: (millis: number) => Promise<Array<Frame>>
  /** Whatever arrived and has not been taken. */
  readonly drain: () => Array<Frame>
  /** The close code and reason once the socket closed (1006 when the connection just dropped). */
  readonly closed: Promise<Closed>
  /** Closes with 1000 and resolves once the socket is closed. */
  readonly close: () => Promise<Closed>
}

/** Opens a WebSocket on `url`; rejects when the upgrade is refused or the connection fails. */
export const openSocket = (url: string, options: ClientOptions = {}): Promise<SocketClient> =>
  new Promise((resolve, reject) => {
    const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
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
    socket.on("error", () => {}) // once open, the close event reports the outcome
    socket.once("unexpected-response", (request, response) => {
      request.destroy()
      reject(new Error(`upgrade refused: ${response.statusCode}`))
    })
    socket.once("error", reject)
    socket.once("open", () => {
      const next = async (timeoutMs = defaultTimeoutMs) => {
        const frame = await inbox.next(timeoutMs, "a frame")
        if (frame === undefined) throw new Error(`the socket closed (${(await closed).code}) before the next frame`)
        return frame
      }
      resolve({
        socket,
        send: (frame) => socket.send(JSON.stringify(frame)),
        sendText: (text) => socket.send(text),
        next,
        expect: async (type, timeoutMs) => {
          const frame = await next(timeoutMs)
          if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`)
          return frame
        },
        nextOfType: async (type, timeoutMs) => {
          for (;;) {
            const frame = await next(timeoutMs)
            if (frame.type === type) return frame
          }
        },
        quietFor: async (millis) => {
          await new Promise((done) => setTimeout(done, millis))
          return inbox.drain()
        },
        drain: () => inbox.drain(),
        closed,
        close: () => {
          if (socket.readyState !== WebSocket.CLOSED) socket.close(1000, "done")
          return closed
        }
      })
    })
  })

// ---------------------------------------------------------------------------------------------
// Server-sent events

/**
 * One blank-line-separated block as sent: its fields by name (the last of each; `data` lines
 * joined with newlines) and its comment line's text. A heartbeat is a block with only a comment.
 */
export type SseBlock = {
  readonly comment?: string
  readonly id?: string
  readonly event?: string
  readonly data?: string
  readonly [field: string]: string | undefined
}

/** An event as an EventSource dispatches it: comments dropped, the type defaulting to "message". */
export interface SseEvent {
  readonly id: string | undefined
  readonly event: string
  readonly data: string
}

export interface SseClient {
  readonly status: number
  readonly headers: Headers
  readonly contentType: string
  /** The next block, comments included; undefined once the stream ended; rejects on timeout. */
  readonly nextBlock: (timeoutMs?: number) => Promise<SseBlock | undefined>
  /** The next event (comment-only blocks skipped); undefined once the stream ended; rejects on timeout. */
  readonly next: (timeoutMs?: number) => Promise<SseEvent | undefined>
  /** The next event of type `event`, skipping others; undefined when the stream ended first. */
  readonly nextOfEvent: (event: string, timeoutMs?: number) => Promise<SseEvent | undefined>
  /** Every block until the server ends the stream (rejects if a wait for one times out). */
  readonly rest: (timeoutMs?: number) => Promise<Array<SseBlock>>
  /** Settles when the response is over: "ended" when the server finished it, "dropped" otherwise. */
  readonly finished: Promise<"ended" | "dropped">
  /** The client goes away (aborts the request, closing its connection). */
  readonly close: () => void
}

/** Parses one block: `field: value` lines, `:` comment lines (RFC: a field without a colon is empty). */
const parseBlock = (block: string): SseBlock | undefined => {
  const fields: Record<string, string> = {}
  const data: Array<string> = []
  let lines = 0
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === "") continue
    lines++
    if (line.startsWith(":")) {
      fields["comment"] = line.slice(1).trim()
      continue
    }
    const colon = line.indexOf(":")
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
    if (field === "data") data.push(value)
    else fields[field] = value
  }
  if (lines === 0) return undefined
  return data.length === 0 ? fields : { ...fields, data: data.join("\n") }
}

const asEvent = (block: SseBlock): SseEvent | undefined =>
  Object.keys(block).some((field) => field !== "comment")
    ? { id: block.id, event: block.event ?? "message", data: block.data ?? "" }
    : undefined

/** Opens `url` as an event stream (`accept: text/event-stream`, plus `headers`, e.g. Last-Event-ID). */
export const openSse = async (
  url: string,
  options: ClientOptions & { readonly headers?: Record<string, string> } = {}
): Promise<SseClient> => {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...options.headers },
    signal: controller.signal
  })
  const inbox = new Inbox<SseBlock>()
  const finished = (async (): Promise<"ended" | "dropped"> => {
    if (response.body === null) return "ended"
    const decoder = new TextDecoder()
    let buffer = ""
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        for (;;) {
          const boundary = /\r\n\r\n|\n\n|\r\r/.exec(buffer)
          if (boundary === null) break
          const block = parseBlock(buffer.slice(0, boundary.index))
          buffer = buffer.slice(boundary.index + boundary[0].length)
          if (block !== undefined) inbox.push(block)
        }
      }
      return "ended"
    } catch {
      // Aborted by close(), or the connection dropped before the response's last chunk.
      return "dropped"
    } finally {
      inbox.end()
    }
  })()
  const nextBlock = (timeoutMs = defaultTimeoutMs) => inbox.next(timeoutMs, "an SSE event")
  const next = async (timeoutMs?: number): Promise<SseEvent | undefined> => {
    for (;;) {
      const block = await nextBlock(timeoutMs)
      if (block === undefined) return undefined
      const event = asEvent(block)
      if (event !== undefined) return event
    }
  }
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get("content-type") ?? "",
    nextBlock,
    next,
    nextOfEvent: async (type, timeoutMs) => {
      for (;;) {
        const event = await next(timeoutMs)
        if (event === undefined || event.event === type) return event
      }
    },
    rest: async (timeoutMs) => {
      const all: Array<SseBlock> = []
      for (;;) {
        const block = await nextBlock(timeoutMs)
        if (block === undefined) return all
        all.push(block)
      }
    },
    finished,
    close: () => controller.abort()
  }
}

/** Settles within `ms` or rejects naming `what`: for "the server closes it" assertions. */
export const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
