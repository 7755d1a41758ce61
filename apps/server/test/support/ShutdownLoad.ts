/**
 * Steady HTTP load on one instance over keep-alive connections (as a load balancer holds them),
 * recording every attempt, and the verdict on each once the instance is gone.
 *
 * Workers loop one request at a time on a shared keep-alive agent, each with a unique
 * X-Request-Id, which the server uses as its request id and logs ("incoming request") the moment
 * its app takes the request. That log is what separates the outcomes a shutdown may cause:
 *
 *   answered            a response came back (its status must be what the route answers)
 *   refusedWhileClosing Fastify's 503 + `Connection: close` for a request that arrived on an
 *                       open connection after closing began: never processed, safe to retry
 *   connectionRefused   a new connection after the listener closed (expected)
 *   notAccepted         the connection was closed before the server read the request (an idle
 *                       keep-alive connection reaped at close): no response, never processed
 *   inFlightFailed      the server had taken the request (it is in its log) but no response came
 *                       back: a dropped request — the bug this load exists to find
 */
import { Agent, request as httpRequest } from "node:http"

export interface LoadRequest {
  readonly route: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  /** The statuses this route answers when all is well. */
  readonly expect: ReadonlyArray<number>
  /** Carried through to the attempt (e.g. a chat message's clientMessageId). */
  readonly key?: string
}

export interface Attempt {
  readonly requestId: string
  readonly request: LoadRequest
  readonly startedAt: number
  readonly endedAt: number
  /** Sent on a connection an earlier request had used (keep-alive). */
  readonly reusedSocket: boolean
  readonly status?: number
  readonly connectionHeader?: string
  readonly body?: string
  /** The error code (ECONNRESET, ECONNREFUSED, …) when no response came back. */
  readonly error?: string
}

export interface LoadOptions {
  readonly baseUrl: string
  readonly workers: number
  /** The request worker `worker` sends next. */
  readonly next: (worker: number) => LoadRequest
  /** A request with no answer after this long counts as hung (an inFlightFailed). */
  readonly requestTimeoutMs?: number
}

export interface Load {
  /** Requests completed so far (for "the load is running" checks). */
  readonly completed: () => number
  /**
   * Each worker sends no new request after `at` + a delay of its own up to `spreadMs`, as a load
   * balancer stops routing to a draining target: some connections go quiet while still open.
   */
  readonly quietAfter: (at: number, spreadMs: number) => void
  /**
   * Every attempt, once every worker has stopped (refused, or quiet). Connections the server left
   * open stay open (idle in the agent) until `release()`: closing them from this side would
   * hide a server that waits for them.
   */
  readonly finished: Promise<ReadonlyArray<Attempt>>
  /** Closes the agent's connections. */
  readonly release: () => void
}

let sequence = 0
const run = Math.random().toString(36).slice(2, 8)

const send = (agent: Agent, baseUrl: string, request: LoadRequest, timeoutMs: number): Promise<Attempt> =>
  new Promise((resolve) => {
    const requestId = `load-${run}-${++sequence}`
    const startedAt = Date.now()
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body)
    let settled = false
    const done = (attempt: Omit<Attempt, "requestId" | "request" | "startedAt" | "endedAt" | "reusedSocket">) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ requestId, request, startedAt, endedAt: Date.now(), reusedSocket: outgoing.reusedSocket, ...attempt })
    }
    const outgoing = httpRequest(`${baseUrl}${request.path}`, {
      agent,
      method: request.method,
      headers: {
        accept: "application/json",
        "x-request-id": requestId,
        ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }),
        ...request.headers
      }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        done({
          status: response.statusCode ?? 0,
          connectionHeader: response.headers.connection ?? "",
          body: Buffer.concat(chunks).toString("utf8")
        })
      )
      // Headers came but the body was cut: as bad as no response at all.
      response.on("aborted", () => done({ error: "ABORTED_MID_BODY" }))
      response.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }))
    })
    const timer = setTimeout(() => {
      done({ error: "HUNG" })
      outgoing.destroy()
    }, timeoutMs)
    outgoing.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }))
    outgoing.end(payload)
  })

/** Starts `workers` loops; they stop on a refused connection, or once quiet (see `quietAfter`). */
export const start = (options: LoadOptions): Load => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.workers })
  const attempts: Array<Attempt> = []
  let quietAt: ((worker: number) => number) | undefined
  const worker = async (index: number) => {
    for (;;) {
      if (quietAt !== undefined && Date.now() >= quietAt(index)) return
      const attempt = await send(agent, options.baseUrl, options.next(index), options.requestTimeoutMs ?? 30_000)
      attempts.push(attempt)
      if (attempt.error === "ECONNREFUSED") return
    }
  }
  const finished = Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i))).then(() => attempts)
  return {
    completed: () => attempts.length,
    quietAfter: (at, spreadMs) => {
      const offsets = Array.from({ length: options.workers }, () => Math.random() * spreadMs)
      quietAt = (index) => at + offsets[index]!
    },
    finished,
    release: () => agent.destroy()
  }
}

export interface Verdict {
  readonly answered: ReadonlyArray<Attempt>
  readonly refusedWhileClosing: ReadonlyArray<Attempt>
  readonly connectionRefused: ReadonlyArray<Attempt>
  readonly notAccepted: ReadonlyArray<Attempt>
  readonly inFlightFailed: ReadonlyArray<Attempt>
  /** Answered, but not with a status the route answers (e.g. a 500). */
  readonly unexpectedStatus: ReadonlyArray<Attempt>
}

/** Fastify's own answer to a request that arrives while it closes (return503OnClosing). */
const isClosingRefusal = (attempt: Attempt) =>
  attempt.status === 503 && attempt.connectionHeader === "close" && (attempt.body ?? "").includes("\"Service Unavailable\"")

/**
 * Sorts the attempts; `accepted` holds the request ids the server logged as taken
 * ("incoming request").
 */
export const judge = (attempts: ReadonlyArray<Attempt>, accepted: ReadonlySet<string>): Verdict => {
  const verdict = {
    answered: [] as Array<Attempt>,
    refusedWhileClosing: [] as Array<Attempt>,
    connectionRefused: [] as Array<Attempt>,
    notAccepted: [] as Array<Attempt>,
    inFlightFailed: [] as Array<Attempt>,
    unexpectedStatus: [] as Array<Attempt>
  }
  for (const attempt of attempts) {
    if (attempt.status !== undefined) {
      if (isClosingRefusal(attempt) && !accepted.has(attempt.requestId)) verdict.refusedWhileClosing.push(attempt)
      else if (attempt.request.expect.includes(attempt.status)) verdict.answered.push(attempt)
      else verdict.unexpectedStatus.push(attempt)
    } else if (attempt.error === "ECONNREFUSED") {
      verdict.connectionRefused.push(attempt)
    } else if (accepted.has(attempt.requestId) || attempt.error === "HUNG" || attempt.error === "ABORTED_MID_BODY") {
      verdict.inFlightFailed.push(attempt)
    } else {
      verdict.notAccepted.push(attempt)
    }
  }
  return verdict
}

/** The request ids an instance's info-level log shows it took. */
export const acceptedRequestIds = (records: ReadonlyArray<Record<string, unknown>>): Set<string> =>
  new Set(
    records
      .filter((record) => record["msg"] === "incoming request" && typeof record["reqId"] === "string")
      .map((record) => record["reqId"] as string)
  )

/** A one-line account of a verdict, for failure messages and the test log. */
export const summary = (verdict: Verdict): string =>
  Object.entries(verdict).map(([name, list]) => `${name}=${(list as ReadonlyArray<Attempt>).length}`).join(" ")

/** A few attempts of a list, compactly, for failure messages. */
export const sample = (list: ReadonlyArray<Attempt>, count = 5): string =>
  JSON.stringify(
    list.slice(0, count).map((a) => ({
      id: a.requestId,
      route: a.request.route,
      status: a.status,
      error: a.error,
      reused: a.reusedSocket,
      body: a.body?.slice(0, 200)
    }))
  )
