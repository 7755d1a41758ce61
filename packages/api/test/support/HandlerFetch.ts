/**
 * A `fetch` whose every Request goes straight to an api handler as an ApiRequest, without a
 * socket: how the in-process suites hand the typed client and the scenarios to the contract
 * (InProcessApi here, apps/lambda's per-function runtimes there).
 */
import type { ApiRequest, ApiResponse } from "../../src/index.js"

export const handlerFetch =
  (handle: (request: ApiRequest) => Promise<ApiResponse>) => async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const query: Record<string, Array<string>> = {}
    url.searchParams.forEach((value, name) => (query[name] ??= []).push(value))
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => (headers[name] = value))
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text()
    const answer = await handle({
      method: request.method,
      path: url.pathname,
      query,
      headers,
      body: body === "" ? undefined : body,
      // A test may pose as another client (rate limits are per address).
      remoteAddress: headers["x-test-ip"] ?? "127.0.0.1"
    })
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers })
  }
