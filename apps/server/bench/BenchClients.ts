/**
 * The clients the latency benchmarks drive the servers with, over real sockets: JSON requests on
 * a keep-alive agent, an event-stream reader that parses `text/event-stream` as a browser does,
 * and a chat WebSocket that authenticates, subscribes to a room and notes when each message
 * (by its clientMessageId) arrives. Every arrival is stamped with `performance.now()` the moment
 * its bytes are handed to JavaScript, before any parsing.
 */
import http from "node:http"
import WebSocket from "ws"

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

export interface JsonAnswer {
  readonly status: number
  readonly body: any
}

/** One JSON request; `sent` (if given) is called just before the request is written. */
export const requestJson = (
  method: string,
  url: string,
  options: { readonly token?: string; readonly body?: unknown; readonly sent?: () => void } = {}
): Promise<JsonAnswer> =>
  new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const headers: Record<string, string> = { accept: "application/json" }
    if (payload !== undefined) {
      headers["content-type"] = "application/json"
      headers["content-length"] = String(Buffer.byteLength(payload))
    }
    if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
    const request = http.request(url, { method, headers, agent }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (text += chunk))
      response.on("end", () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: text === "" ? undefined : JSON.parse(text) })
        } catch (error) {
          reject(error)
        }
      })
      response.on("error", reject)
    })
    request.on("error", reject)
    options.sent?.()
    request.end(payload)
  })

/** A JSON request that must answer `status`; its body. */
export const expectJson = async (
  status: number,
  method: string,
  url: string,
  options: { readonly token?: string; readonly body?: unknown } = {}
): Promise<any> => {
  const answer = await requestJson(method, url, options)
  if (answer.status !== status) {
    throw new Error(`${method} ${new URL(url).pathname} answered ${answer.status}, expected ${status}: ${JSON.stringify(answer.body)}`)
  }
  return answer.body
}

/** Resolves with the value `wait` is given, or rejects after `timeoutMs` naming `what`. */
const within = <A>(timeoutMs: number, what: string, wait: (done: (value: A) => void) => () => void): Promise<A> =>
  new Promise((resolve, reject) => {
    let cancel: () => void = () => {}
    const timer = setTimeout(() => {
      cancel()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    cancel = wait((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })

// ---------------------------------------------------------------------------------------------
// Server-sent events

export interface SseEvent {
  readonly event: string | undefined
  readonly id: string | undefined
  readonly data: any
  readonly receivedAt: number
}

/** A `text/event-stream` response read as it arrives. */
export class EventStream {
  private readonly events: Array<SseEvent> = []
  private waiter: (() => void) | undefined

  private constructor(private readonly request: http.ClientRequest, response: http.IncomingMessage) {
    let buffer = ""
    response.setEncoding("utf8")
    response.on("data", (chunk: string) => {
      const receivedAt = performance.now()
      buffer += chunk
      for (;;) {
        const end = buffer.indexOf("\n\n")
        if (end < 0) break
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = EventStream.parse(block, receivedAt)
        if (event !== undefined) this.events.push(event)
      }
      this.waiter?.()
    })
    response.on("error", () => {})
  }

  static open(url: string): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      // Its own connection (no agent): the stream is dropped by destroying its socket.
      const request = http.get(url, { headers: { accept: "text/event-stream" }, agent: false }, (response) => {
        if (response.statusCode !== 200) {
          response.resume()
          reject(new Error(`GET ${new URL(url).pathname} answered ${response.statusCode}`))
          return
        }
        resolve(new EventStream(request, response))
      })
      request.on("error", reject)
    })
  }

  private static parse(block: string, receivedAt: number): SseEvent | undefined {
    let event: string | undefined
    let id: string | undefined
    let data: string | undefined
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue
      const at = line.indexOf(":")
      const field = at < 0 ? line : line.slice(0, at)
      const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "")
      if (field === "event") event = value
      else if (field === "id") id = value
      else if (field === "data") data = data === undefined ? value : `${data}\n${value}`
    }
    if (data === undefined) return undefined
    return { event, id, data: JSON.parse(data), receivedAt }
  }

  /** The first event (received or still to come) for which `matches` holds; earlier ones are dropped. */
  next(matches: (event: SseEvent) => boolean, timeoutMs: number, what: string): Promise<SseEvent> {
    return within(timeoutMs, what, (done) => {
      const check = () => {
        while (this.events.length > 0) {
          const event = this.events.shift()!
          if (matches(event)) {
            this.waiter = undefined
            done(event)
            return
          }
        }
      }
      this.waiter = check
      check()
      return () => (this.waiter = undefined)
    })
  }

  close(): void {
    this.request.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// Chat WebSocket

/** A `/ws/chat` socket subscribed to one room, stamping each message's arrival. */
export class ChatSubscriber {
  private readonly arrived = new Map<string, number>()
  private readonly waiting = new Map<string, (receivedAt: number) => void>()
  private control: ((frame: any) => void) | undefined

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const receivedAt = performance.now()
      const frame = JSON.parse(String(data)) as { type: string; message?: { clientMessageId: string } }
      if (frame.type === "message" && frame.message !== undefined) {
        const id = frame.message.clientMessageId
        const waiter = this.waiting.get(id)
        if (waiter === undefined) this.arrived.set(id, receivedAt)
        else {
          this.waiting.delete(id)
          waiter(receivedAt)
        }
        return
      }
      this.control?.(frame)
    })
    socket.on("error", () => {})
  }

  private nextControl(timeoutMs: number, what: string): Promise<any> {
    return within(timeoutMs, what, (done) => {
      this.control = (frame) => {
        this.control = undefined
        done(frame)
      }
      return () => (this.control = undefined)
    })
  }

  static async connect(wsUrl: string, token: string, roomId: string): Promise<ChatSubscriber> {
    const socket = new WebSocket(`${wsUrl}/ws/chat`)
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve())
      socket.once("error", reject)
    })
    const subscriber = new ChatSubscriber(socket)
    const authenticated = subscriber.nextControl(5_000, "the chat socket's authenticated frame")
    socket.send(JSON.stringify({ type: "auth", token }))
    const auth = await authenticated
    if (auth.type !== "authenticated") throw new Error(`chat auth answered ${JSON.stringify(auth)}`)
    const subscribed = subscriber.nextControl(5_000, "the chat socket's subscribed frame")
    socket.send(JSON.stringify({ type: "subscribe", roomId }))
    const ack = await subscribed
    if (ack.type !== "subscribed") throw new Error(`chat subscribe answered ${JSON.stringify(ack)}`)
    return subscriber
  }

  /** When the message with `clientMessageId` arrived (or arrives). */
  arrival(clientMessageId: string, timeoutMs: number): Promise<number> {
    const already = this.arrived.get(clientMessageId)
    if (already !== undefined) {
      this.arrived.delete(clientMessageId)
      return Promise.resolve(already)
    }
    return within(timeoutMs, `chat message ${clientMessageId}`, (done) => {
      this.waiting.set(clientMessageId, done)
      return () => this.waiting.delete(clientMessageId)
    })
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve())
      this.socket.close(1000, "bench done")
    })
  }
}
