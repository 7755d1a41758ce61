/**
 * Whether a running deployment is ready: GET /api/ready answers 200 once its stores are open and
 * answer (API.md). For tests that start the server as a child process and wait for it; each probe
 * has a connection of its own (closed after), so nothing lingers in a pool between attempts.
 */
import { get } from "node:http"

/** The status of a GET of `url`; 0 when nothing answers within 5 s. */
export const statusOf = (url: string): Promise<number> =>
  new Promise((done) => {
    const request = get(url, { agent: false, timeout: 5_000 }, (res) => {
      res.resume()
      res.on("end", () => done(res.statusCode ?? 0))
      res.on("error", () => done(0))
    })
    request.on("timeout", () => request.destroy())
    request.on("error", () => done(0))
  })

/** `baseUrl` without a trailing slash, e.g. http://127.0.0.1:3000. */
export const isReady = async (baseUrl: string): Promise<boolean> => (await statusOf(`${baseUrl}/api/ready`)) === 200
