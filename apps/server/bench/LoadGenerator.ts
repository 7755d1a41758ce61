/**
 * HTTP load from autocannon, run in a child Node process so the load generator never shares an
 * event loop with the servers it measures (on two cores, generator and servers each get one).
 * The options, headers included, reach the child through its environment, not its command
 * line, so the bearer token never shows in a process listing.
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"

export interface LoadOptions {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly pipelining: number
  readonly durationSeconds: number
}

export interface LoadResult {
  /** 2xx answers per second over the run. */
  readonly requestsPerSecond: number
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  readonly durationSeconds: number
  readonly latencyMeanMs: number
  readonly latencyP50Ms: number
  readonly latencyP99Ms: number
  readonly latencyMaxMs: number
}

/** The part of autocannon's result this module reads. */
interface AutocannonResult {
  readonly duration: number
  readonly "2xx": number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  readonly latency: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number }
}

const autocannonPath = createRequire(import.meta.url).resolve("autocannon")

const CHILD_SCRIPT = `
const autocannon = require(process.env.BENCH_AUTOCANNON_PATH)
const options = JSON.parse(process.env.BENCH_AUTOCANNON_OPTIONS)
autocannon(options, (error, result) => {
  if (error) {
    process.stderr.write(String(error && error.message || error) + "\\n")
    process.exit(1)
  }
  process.stdout.write(JSON.stringify(result))
})
`

export const run = (options: LoadOptions): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", CHILD_SCRIPT], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env["PATH"] ?? "",
        BENCH_AUTOCANNON_PATH: autocannonPath,
        BENCH_AUTOCANNON_OPTIONS: JSON.stringify({
          url: options.url,
          headers: options.headers,
          connections: options.connections,
          pipelining: options.pipelining,
          duration: options.durationSeconds
        })
      }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${stderr.trim()}`))
      try {
        const result = JSON.parse(stdout) as AutocannonResult
        resolve({
          requestsPerSecond: result["2xx"] / result.duration,
          ok: result["2xx"],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          durationSeconds: result.duration,
          latencyMeanMs: result.latency.mean,
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
          latencyMaxMs: result.latency.max
        })
      } catch (error) {
        reject(new Error(`autocannon printed no result: ${String(error)}`))
      }
    })
  })
