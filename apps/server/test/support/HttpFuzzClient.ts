/**
 * Two ways of sending one request to a listening server for the HTTP fuzzer, each with a bound
 * that detects hangs: `sendHttp` through node:http (well-formed framing, any method or header
 * Node's client allows) and `sendRaw` as bytes on a plain socket (what Node's client refuses to
 * write: lower-case or unknown methods, raw UTF-8 in the path, broken framing), whose answer is
 * read by its own framing, so that a HEAD answer carrying a body would show.
 *
 * An event stream never ends: its answer is taken once its headers are in, and the connection
 * dropped. `sendHttp` asks for `Connection: close` (raw requests say what they say), so no answer
 * depends on an earlier one.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http"
import { connect } from "node:net"

export type Answer =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: IncomingHttpHeaders
    readonly body: Buffer
    /** An event stream, cut after its headers (its body is what arrived with them, if anything). */
    readonly streamed: boolean
  }
  /** The server switched protocols (a WebSocket handshake that succeeded). */
  | { readonly _tag: "Upgraded"; readonly status: number; readonly headers: IncomingHttpHeaders }
  /** The connection closed without an answer. */
  | { readonly _tag: "Closed"; readonly reason: string }

export class Hang extends Error {}

/** How long a HEAD answer's connection is watched for body bytes when the server keeps it open. */
const HEAD_GRACE_MS = 100

export interface HttpRequestSpec {
  readonly method: string
  /** Sent as it is in the request line (Node's client refuses spaces, controls and chars above U+00FF). */
  readonly path: string
  readonly headers: OutgoingHttpHeaders
  readonly body: Buffer | undefined
  /** "chunked": Transfer-Encoding: chunked instead of a Content-Length. */
  readonly framing: "length" | "chunked"
  /** false: no Host header at all. */
  readonly setHost: boolean
}

const isEventStream = (headers: IncomingHttpHeaders) => String(headers["content-type"] ?? "").startsWith("text/event-stream")

export const sendHttp = (port: number, spec: HttpRequestSpec, boundMs: number): Promise<Answer> =>
  new Promise<Answer>((resolve, reject) => {
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outcome()
    }
    const headers: OutgoingHttpHeaders = { connection: "close", ...spec.headers }
    if (spec.body !== undefined && headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) {
      // Node's client would send a GET/HEAD/DELETE/OPTIONS body unframed unless told to chunk it.
      if (spec.framing === "length") headers["content-length"] = spec.body.byteLength
      else headers["transfer-encoding"] = "chunked"
    }
    const request = httpRequest({
      host: "127.0.0.1",
      port,
      method: spec.method,
      path: spec.path,
      headers,
      setHost: spec.setHost,
      agent: false
    })
    const timer = setTimeout(() => {
      settle(() => reject(new Hang(`no answer to ${spec.method} ${spec.path.slice(0, 200)} within ${boundMs} ms`)))
      request.destroy()
    }, boundMs)
    request.on("response", (response) => {
      if (isEventStream(response.headers)) {
        settle(() => resolve({ _tag: "Response", status: response.statusCode ?? 0, headers: response.headers, body: Buffer.alloc(0), streamed: true }))
        request.destroy()
        return
      }
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        settle(() =>
          resolve({ _tag: "Response", status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), streamed: false })
        )
      )
      response.on("error", (error) => settle(() => resolve({ _tag: "Closed", reason: `response: ${error.message}` })))
    })
    request.on("upgrade", (response, socket) => {
      socket.destroy()
      settle(() => resolve({ _tag: "Upgraded", status: response.statusCode ?? 0, headers: response.headers }))
    })
    // CONNECT answered with 200 (never here: nothing listens for CONNECT) would land here.
    request.on("connect", (response, socket) => {
      socket.destroy()
      settle(() => resolve({ _tag: "Upgraded", status: response.statusCode ?? 0, headers: response.headers }))
    })
    request.on("error", (error) => settle(() => resolve({ _tag: "Closed", reason: error.message })))
    if (spec.body !== undefined && spec.body.byteLength > 0) request.write(spec.body)
    request.end()
  })

/** Decodes a chunked body, and says whether its last chunk has come; what cannot be decoded is returned as it is. */
const dechunk = (raw: Buffer): { readonly body: Buffer; readonly complete: boolean } => {
  const parts: Array<Buffer> = []
  let at = 0
  while (at < raw.length) {
    const lineEnd = raw.indexOf("\r\n", at)
    if (lineEnd === -1) break
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString("latin1").split(";")[0]!, 16)
    if (!Number.isFinite(size)) return { body: raw, complete: true }
    if (size === 0) return { body: Buffer.concat(parts), complete: raw.indexOf("\r\n\r\n", lineEnd) !== -1 }
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return { body: Buffer.concat(parts), complete: false }
}

const parseHead = (head: string): { status: number; headers: IncomingHttpHeaders } => {
  const [statusLine = "", ...lines] = head.split("\r\n")
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status, headers }
}

/** The answer without the interim ones before it (100 Continue, 103 Early Hints; not 101). */
const withoutInterim = (all: Buffer): Buffer => {
  let rest = all
  for (;;) {
    const match = /^HTTP\/1\.[01] 1(\d\d)/.exec(rest.subarray(0, 12).toString("latin1"))
    const headEnd = rest.indexOf("\r\n\r\n")
    if (match === null || match[1] === "01" || headEnd === -1) return rest
    rest = rest.subarray(headEnd + 4)
  }
}

/**
 * Writes `bytes` (a whole request) and reads the answer: until its Content-Length or chunked
 * framing says it is complete, or the server closes (an HTTP/1.0 keep-alive is not waited out).
 * The body is what that framing says; for a `head` request it is every byte that came after the
 * header block within HEAD_GRACE_MS, which must be none.
 */
export const sendRaw = (port: number, bytes: Buffer, options: { readonly head: boolean }, boundMs: number): Promise<Answer> =>
  new Promise<Answer>((resolve, reject) => {
    let settled = false
    let grace: ReturnType<typeof setTimeout> | undefined
    const chunks: Array<Buffer> = []
    const socket = connect({ host: "127.0.0.1", port })
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      socket.destroy()
      outcome()
    }
    const timer = setTimeout(
      () => settle(() => reject(new Hang(`no answer to ${JSON.stringify(bytes.subarray(0, 200).toString("latin1"))} within ${boundMs} ms`))),
      boundMs
    )
    /** The answer so far, and whether it is whole. */
    const answerSoFar = (closed: boolean): { readonly answer: Answer; readonly complete: boolean } | undefined => {
      const all = withoutInterim(Buffer.concat(chunks))
      const headEnd = all.indexOf("\r\n\r\n")
      if (headEnd === -1) return undefined
      const { status, headers } = parseHead(all.subarray(0, headEnd).toString("latin1"))
      const rest = all.subarray(headEnd + 4)
      if (status === 101) return { answer: { _tag: "Upgraded", status, headers }, complete: true }
      if (isEventStream(headers)) return { answer: { _tag: "Response", status, headers, body: rest, streamed: true }, complete: true }
      const length = Number(headers["content-length"])
      const chunked = String(headers["transfer-encoding"] ?? "").toLowerCase() === "chunked"
      // What follows the answer's own body (an answer to bytes read as a next request) is not its.
      const { body, complete } = options.head || status === 204 || status === 304
        ? { body: rest, complete: true }
        : chunked
        ? dechunk(rest)
        : Number.isSafeInteger(length)
        ? { body: rest.subarray(0, length), complete: rest.length >= length }
        : { body: rest, complete: closed }
      return { answer: { _tag: "Response", status, headers, body, streamed: false }, complete }
    }
    const finish = () => {
      const sofar = answerSoFar(true)
      if (sofar !== undefined) {
        settle(() => resolve(sofar.answer))
        return
      }
      const all = Buffer.concat(chunks)
      settle(() => resolve({ _tag: "Closed", reason: all.length === 0 ? "closed without an answer" : `incomplete answer: ${all.toString("latin1").slice(0, 200)}` }))
    }
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      const sofar = answerSoFar(false)
      if (sofar === undefined || !sofar.complete) return
      // A HEAD answer is whole at its header block; a body sent after it anyway would come now.
      if (options.head && sofar.answer._tag === "Response" && !sofar.answer.streamed) {
        clearTimeout(grace)
        grace = setTimeout(finish, HEAD_GRACE_MS)
      } else {
        finish()
      }
    })
    socket.on("end", finish)
    socket.on("close", finish)
    socket.on("error", () => finish())
    socket.write(bytes)
  })
