/**
 * Benchmark (not a test: `npm run bench -w @app/server`, never `npm test`; it prints numbers and
 * asserts nothing about time). The server on STORE=postgres (the real Postgres and Redis, a fresh
 * schema and Redis prefix), built as main.ts builds it, logging at LOG_LEVEL info to /dev/null:
 *
 * 1. `GET /api/users/me` (JWT verify + one Postgres read) through the whole server against a bare
 *    Fastify route doing the same work directly (BareUserRoute.ts), both in this process, under
 *    the same autocannon load from a child process, in alternating rounds (full, bare | bare,
 *    full | …) after a warm-up of each, so drift in the machine's load hits both. The goal is
 *    full ≥ 0.8 × bare in requests per second. Each round also notes this process's CPU time per
 *    request, which other work on the (small, shared) machine disturbs much less than req/s.
 * 2. Latency across two instances (A and B: separate runtimes, so separate pools and Redis
 *    connections, one schema and prefix): (a) a QR challenge approved on B until A's event
 *    stream says `approved`, timed from just before the approve request is sent; (b) a chat
 *    message POSTed to A until each of K WebSocket subscribers on B has it, timed from just
 *    before the POST is sent. One challenge / one message in flight at a time; the clients run
 *    in this process too.
 *
 * Results: a table at the end, and JSON in bench/results/latest.json (ignored by git).
 *
 * Environment: DATABASE_URL, REDIS_URL; BENCH_LOG_LEVEL (info); BENCH_POOL_MAX (10);
 * BENCH_ME_SECONDS (10), BENCH_ME_CONNECTIONS (50), BENCH_ME_PIPELINING (1), BENCH_ME_ROUNDS (3),
 * BENCH_WARMUP_SECONDS (5); BENCH_QR_CHALLENGES (200); BENCH_CHAT_SUBSCRIBERS (20),
 * BENCH_CHAT_MESSAGES (500); BENCH_RESULTS (the JSON file's path).
 * To see where the time goes: BENCH_ME_BREAKDOWN=1 adds, to the same alternating rounds, a full
 * instance logging at warn and the layers of BreakdownRoutes.ts; BENCH_PROFILE_DIR=<dir> CPU-
 * profiles one more run of each contender into <dir> and prints the hottest code (profiling
 * slows a run, so those runs are not counted).
 */
import { mkdir, writeFile } from "node:fs/promises"
import { availableParallelism, cpus, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, test } from "vitest"
import * as BareUserRoute from "./BareUserRoute.js"
import * as BreakdownRoutes from "./BreakdownRoutes.js"
import { ChatSubscriber, EventStream, expectJson, requestJson } from "./BenchClients.js"
import * as BenchServers from "./BenchServers.js"
import * as CpuProfile from "./CpuProfile.js"
import * as LoadGenerator from "./LoadGenerator.js"
import { count, describeLoad, envInt, loadAverages, median, summarize, type LatencySummary } from "./Samples.js"

const settings = {
  logLevel: process.env["BENCH_LOG_LEVEL"] ?? "info",
  poolMax: Math.max(1, envInt("BENCH_POOL_MAX", 10)),
  me: {
    seconds: Math.max(1, envInt("BENCH_ME_SECONDS", 10)),
    connections: Math.max(1, envInt("BENCH_ME_CONNECTIONS", 50)),
    pipelining: Math.max(1, envInt("BENCH_ME_PIPELINING", 1)),
    rounds: Math.max(1, envInt("BENCH_ME_ROUNDS", 3)),
    warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 5),
    breakdown: process.env["BENCH_ME_BREAKDOWN"] === "1"
  },
  qr: { challenges: Math.max(1, envInt("BENCH_QR_CHALLENGES", 200)), warmup: 10 },
  chat: {
    subscribers: Math.max(1, envInt("BENCH_CHAT_SUBSCRIBERS", 20)),
    messages: Math.max(1, envInt("BENCH_CHAT_MESSAGES", 500)),
    warmup: 20
  }
}
const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
const resultsPath = process.env["BENCH_RESULTS"] ?? join(import.meta.dirname, "results", "latest.json")
const profileDir = process.env["BENCH_PROFILE_DIR"]

/** How long one QR event or chat delivery may take before the run is called broken. */
const EVENT_TIMEOUT_MS = 10_000

// ---------------------------------------------------------------------------------------------
// The machine's load, sampled through the whole run

const loadSamples: Array<number> = []
const loadSampler = setInterval(() => loadSamples.push(loadAverages()[0]), 5_000)
loadSampler.unref()

// ---------------------------------------------------------------------------------------------
// Shared state

interface BenchUser {
  readonly userId: string
  readonly accessToken: string
}

let deployment: BenchServers.BenchDeployment | undefined
const closers: Array<() => Promise<void>> = []
let instanceA: BenchServers.BenchInstance
let user: BenchUser

interface MeRound extends LoadGenerator.LoadResult {
  /** CPU time of this process (both servers, only one of them under load) per 2xx answer. */
  readonly cpuMicrosPerRequest: number
  readonly loadAverage1m: number
}

interface MeSide {
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Less sensitive than req/s to what else the machine runs: the cost of one request here. */
  readonly cpuMicrosPerRequest: number
  readonly rounds: ReadonlyArray<MeRound>
}

const results: {
  startedAt: string
  finishedAt?: string
  machine: Record<string, unknown>
  settings: typeof settings
  schema?: string
  usersMe?: {
    readonly full: MeSide
    readonly bare: MeSide
    readonly ratio: number
    /** bare's CPU per request over full's: the ratio the throughputs would have if CPU here were all that limited them. */
    readonly cpuRatio: number
    readonly goal: number
    /** BENCH_ME_BREAKDOWN: the other contenders, by name. */
    readonly breakdown?: Record<string, MeSide>
  }
  usersMeProfiles?: Record<string, unknown>
  qrApprove?: {
    readonly challenges: number
    readonly approveToEvent: LatencySummary
    readonly approveAnswer: LatencySummary
    readonly scanToEvent: LatencySummary
  }
  chatFanOut?: {
    readonly messages: number
    readonly subscribers: number
    readonly postToDelivery: LatencySummary
    readonly postToLastSubscriber: LatencySummary
    readonly postAnswer: LatencySummary
  }
  errors: Array<string>
} = {
  startedAt: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadAverages()
  },
  settings,
  errors: []
}

const signUp = async (instance: BenchServers.BenchInstance): Promise<BenchUser> => {
  const body = await expectJson(201, "POST", `${instance.httpUrl}/api/auth/signup`, {
    body: { email: `bench-${Date.now().toString(36)}@example.com`, password: "Bench-passw0rd-1", name: "Bench User" }
  })
  return { userId: body.user.userId, accessToken: body.accessToken }
}

beforeAll(async () => {
  deployment = await BenchServers.deployment({ databaseUrl, redisUrl, poolMax: settings.poolMax, logLevel: settings.logLevel })
  results.schema = deployment.schema
  instanceA = await BenchServers.startInstance(deployment, "A")
  closers.push(instanceA.close)
  user = await signUp(instanceA)
  console.log(`server bench: schema ${deployment.schema}, LOG_LEVEL ${settings.logLevel}, pool ${settings.poolMax}; ${describeLoad()}`)
})

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch((error) => results.errors.push(`closing: ${String(error)}`))
  await deployment?.drop().catch((error) => results.errors.push(`dropping the schema: ${String(error)}`))
  clearInterval(loadSampler)
  results.finishedAt = new Date().toISOString()
  results.machine["loadAverageAtEnd"] = loadAverages()
  results.machine["loadAverage1mDuringRun"] = {
    samples: loadSamples.length,
    mean: loadSamples.length === 0 ? null : Math.round((loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length) * 100) / 100,
    max: loadSamples.length === 0 ? null : Math.max(...loadSamples)
  }
  await mkdir(dirname(resultsPath), { recursive: true })
  await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
  printTable()
  console.log(`results written to ${resultsPath}`)
})

// ---------------------------------------------------------------------------------------------
// 1. GET /api/users/me: the whole server against the bare route

const meSide = (rounds: MeSide["rounds"]): MeSide => {
  const ok = rounds.reduce((sum, r) => sum + r.ok, 0)
  const seconds = rounds.reduce((sum, r) => sum + r.durationSeconds, 0)
  return {
    requestsPerSecond: Math.round(ok / seconds),
    p50Ms: median(rounds.map((r) => r.latencyP50Ms)),
    p99Ms: median(rounds.map((r) => r.latencyP99Ms)),
    cpuMicrosPerRequest: Math.round(median(rounds.map((r) => r.cpuMicrosPerRequest))),
    rounds
  }
}

test("GET /api/users/me: full server vs bare Fastify route", async () => {
  const bare = await BareUserRoute.start({
    databaseUrl,
    schema: deployment!.schema,
    maxConnections: settings.poolMax,
    accessTokenSecret: deployment!.accessTokenSecret,
    issuer: deployment!.issuer,
    audience: deployment!.audience,
    accessTokenTtlSeconds: deployment!.accessTokenTtlSeconds
  })
  closers.push(bare.close)

  // Both answer the same user for the same token: they really do the same work.
  const fromFull = await expectJson(200, "GET", `${instanceA.httpUrl}/api/users/me`, { token: user.accessToken })
  const fromBare = await expectJson(200, "GET", `${bare.url}/api/users/me`, { token: user.accessToken })
  if (JSON.stringify(fromFull) !== JSON.stringify(fromBare)) {
    throw new Error(`the two routes answer differently: ${JSON.stringify(fromFull)} vs ${JSON.stringify(fromBare)}`)
  }

  const contenders: Array<{ readonly name: string; readonly url: string }> = [
    { name: "full", url: `${instanceA.httpUrl}/api/users/me` },
    { name: "bare", url: `${bare.url}/api/users/me` }
  ]
  if (settings.me.breakdown) {
    const quiet = await BenchServers.startInstance(deployment!, "A (LOG_LEVEL=warn)", { LOG_LEVEL: "warn" })
    closers.push(quiet.close)
    contenders.push({ name: "full, LOG_LEVEL=warn", url: `${quiet.httpUrl}/api/users/me` })
    for (const layer of [await BreakdownRoutes.contractOnly(instanceA.runtime), await BreakdownRoutes.useCasesOnly(instanceA.runtime)]) {
      closers.push(layer.close)
      contenders.push({ name: `${layer.name} only`, url: `${layer.url}/api/users/me` })
    }
  }
  const load = (url: string, seconds: number) =>
    LoadGenerator.run({
      url,
      headers: { authorization: `Bearer ${user.accessToken}` },
      connections: settings.me.connections,
      pipelining: settings.me.pipelining,
      durationSeconds: seconds
    })

  if (settings.me.warmupSeconds > 0) {
    for (const contender of contenders) await load(contender.url, settings.me.warmupSeconds)
  }
  const rounds: Record<string, Array<MeRound>> = Object.fromEntries(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < settings.me.rounds; round++) {
    // The order rotates every round (full, bare | bare, full | …), so each goes first as often.
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length]!
      const cpuBefore = process.cpuUsage()
      const result = await load(contender.url, settings.me.seconds)
      const cpu = process.cpuUsage(cpuBefore)
      const cpuMicrosPerRequest = Math.round((cpu.user + cpu.system) / Math.max(1, result.ok))
      if (result.non2xx > 0 || result.errors > 0) {
        results.errors.push(`${contender.name} round ${round}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
      }
      rounds[contender.name]!.push({ ...result, cpuMicrosPerRequest, loadAverage1m: loadAverages()[0] })
      console.log(
        `users/me round ${round + 1} ${contender.name}: ${count(result.requestsPerSecond)} req/s, ` +
          `p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, ${cpuMicrosPerRequest} µs CPU/request; ${describeLoad()}`
      )
    }
  }
  const full = meSide(rounds["full"]!)
  const bareSide = meSide(rounds["bare"]!)
  const others = contenders.slice(2).map((c) => [c.name, meSide(rounds[c.name]!)] as const)
  results.usersMe = {
    full,
    bare: bareSide,
    ratio: Math.round((full.requestsPerSecond / bareSide.requestsPerSecond) * 1000) / 1000,
    cpuRatio: Math.round((bareSide.cpuMicrosPerRequest / full.cpuMicrosPerRequest) * 1000) / 1000,
    goal: 0.8,
    ...(others.length === 0 ? {} : { breakdown: Object.fromEntries(others) })
  }

  if (profileDir !== undefined && profileDir !== "") {
    await mkdir(profileDir, { recursive: true })
    results.usersMeProfiles = {}
    for (const contender of contenders) {
      const path = join(profileDir, `users-me-${contender.name}.cpuprofile`)
      const { result, profile } = await CpuProfile.record(path, () => load(contender.url, settings.me.seconds))
      const places = CpuProfile.byPlace(profile, 12)
      const functions = CpuProfile.hottest(profile, 25)
      results.usersMeProfiles[contender.name] = { path, requestsPerSecond: result.requestsPerSecond, places, functions }
      console.log(`profile of ${contender.name} (${count(result.requestsPerSecond)} req/s while profiled) in ${path}`)
      console.table(places)
      console.table(functions)
    }
  }
})

// ---------------------------------------------------------------------------------------------
// 2. Latency across two instances

test("realtime latency across two instances: QR approve → SSE, chat POST → WebSocket fan-out", async () => {
  const instanceB = await BenchServers.startInstance(deployment!, "B")
  closers.push(instanceB.close)
  const a = instanceA.httpUrl
  const b = instanceB.httpUrl
  const token = user.accessToken

  // (a) QR: init on A, A's event stream open, scan and approve on B.
  const approveToEvent: Array<number> = []
  const approveAnswer: Array<number> = []
  const scanToEvent: Array<number> = []
  for (let i = -settings.qr.warmup; i < settings.qr.challenges; i++) {
    const init = await expectJson(201, "POST", `${a}/api/qr/init`)
    const decision = { challengeId: init.challengeId, scanKey: new URL(init.qrPayload).searchParams.get("k") }
    const stream = await EventStream.open(`${a}/api/qr/sse/${encodeURIComponent(init.challengeId)}`)
    try {
      await stream.next((e) => e.data?.status === "pending", EVENT_TIMEOUT_MS, "the pending event")
      const scanned = stream.next((e) => e.data?.status === "scanned", EVENT_TIMEOUT_MS, "the scanned event")
      const scanStart = performance.now()
      await expectJson(200, "POST", `${b}/api/qr/scan`, { token, body: decision })
      const scannedAt = (await scanned).receivedAt

      const approved = stream.next((e) => e.data?.status === "approved", EVENT_TIMEOUT_MS, "the approved event")
      const start = performance.now()
      const answer = requestJson("POST", `${b}/api/qr/approve`, { token, body: decision }).then((res) => ({ res, at: performance.now() }))
      const [event, answered] = await Promise.all([approved, answer])
      if (answered.res.status !== 200) throw new Error(`approve answered ${answered.res.status}`)
      if (i >= 0) {
        approveToEvent.push(event.receivedAt - start)
        approveAnswer.push(answered.at - start)
        scanToEvent.push(scannedAt - scanStart)
      }
    } finally {
      stream.close()
    }
  }
  results.qrApprove = {
    challenges: settings.qr.challenges,
    approveToEvent: summarize(approveToEvent),
    approveAnswer: summarize(approveAnswer),
    scanToEvent: summarize(scanToEvent)
  }
  console.log(`QR approve on B → approved on A's SSE: ${JSON.stringify(results.qrApprove.approveToEvent)}; ${describeLoad()}`)

  // (b) Chat: K subscribers on B, messages POSTed to A.
  const team = await expectJson(201, "POST", `${a}/api/teams`, { token, body: { name: "Bench team" } })
  const room = await expectJson(201, "POST", `${a}/api/chat/rooms`, { token, body: { teamId: team.teamId, name: "bench" } })
  const subscribers: Array<ChatSubscriber> = []
  try {
    for (let k = 0; k < settings.chat.subscribers; k++) subscribers.push(await ChatSubscriber.connect(instanceB.wsUrl, token, room.roomId))
    const deliveries: Array<number> = []
    const lastSubscriber: Array<number> = []
    const postAnswer: Array<number> = []
    const run = Date.now().toString(36)
    for (let i = -settings.chat.warmup; i < settings.chat.messages; i++) {
      const clientMessageId = `bench-${run}-${i + settings.chat.warmup}`
      const arrivals = subscribers.map((s) => s.arrival(clientMessageId, EVENT_TIMEOUT_MS))
      const start = performance.now()
      const posted = requestJson("POST", `${a}/api/chat/rooms/${encodeURIComponent(room.roomId)}/messages`, {
        token,
        body: { body: `Benchmark message ${i}: the sensor on floor 3 reads 23.4 °C and 41 % RH.`, clientMessageId }
      }).then((res) => ({ res, at: performance.now() }))
      const [times, answered] = await Promise.all([Promise.all(arrivals), posted])
      if (answered.res.status !== 201) throw new Error(`POST message answered ${answered.res.status}`)
      if (i >= 0) {
        for (const at of times) deliveries.push(at - start)
        lastSubscriber.push(Math.max(...times) - start)
        postAnswer.push(answered.at - start)
      }
    }
    results.chatFanOut = {
      messages: settings.chat.messages,
      subscribers: settings.chat.subscribers,
      postToDelivery: summarize(deliveries),
      postToLastSubscriber: summarize(lastSubscriber),
      postAnswer: summarize(postAnswer)
    }
    console.log(`chat POST on A → ${settings.chat.subscribers} subscribers on B: ${JSON.stringify(results.chatFanOut.postToDelivery)}; ${describeLoad()}`)
  } finally {
    await Promise.all(subscribers.map((s) => s.close()))
  }
})

// ---------------------------------------------------------------------------------------------
// The summary

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "-" : value.toFixed(2))

const printTable = () => {
  const rows: Array<Record<string, string>> = []
  const me = results.usersMe
  if (me !== undefined) {
    const sides: Array<readonly [string, MeSide]> = [["users/me full server", me.full], ["users/me bare route", me.bare]]
    for (const [name, side] of Object.entries(me.breakdown ?? {})) sides.push([`users/me ${name}`, side])
    for (const [name, side] of sides) {
      rows.push({
        measure: name,
        "req/s": count(side.requestsPerSecond),
        "p50 ms": ms(side.p50Ms),
        "p99 ms": ms(side.p99Ms),
        "CPU µs/req": String(side.cpuMicrosPerRequest),
        samples: `${side.rounds.length} × ${settings.me.seconds} s`
      })
    }
  }
  const latency = (measure: string, summary: LatencySummary | undefined) => {
    if (summary !== undefined) {
      rows.push({ measure, "req/s": "", "p50 ms": ms(summary.p50Ms), "p99 ms": ms(summary.p99Ms), "CPU µs/req": "", samples: count(summary.samples) })
    }
  }
  latency("QR approve (B) → SSE approved (A)", results.qrApprove?.approveToEvent)
  latency("QR approve answer (B)", results.qrApprove?.approveAnswer)
  latency("QR scan (B) → SSE scanned (A)", results.qrApprove?.scanToEvent)
  latency(`chat POST (A) → each WS (B, ${settings.chat.subscribers})`, results.chatFanOut?.postToDelivery)
  latency("chat POST (A) → last WS (B)", results.chatFanOut?.postToLastSubscriber)
  latency("chat POST answer (A)", results.chatFanOut?.postAnswer)
  console.table(rows)
  if (me !== undefined) {
    console.log(
      `users/me ratio full/bare: ${me.ratio.toFixed(3)} in req/s (goal ≥ ${me.goal}), ${me.cpuRatio.toFixed(3)} in CPU per request; ` +
        `${settings.me.connections} connections, ` +
        `pipelining ${settings.me.pipelining}, ${settings.me.rounds} alternating rounds of ${settings.me.seconds} s each`
    )
  }
  const during = results.machine["loadAverage1mDuringRun"] as { mean: number | null; max: number | null }
  console.log(`machine: ${availableParallelism()} CPUs; 1-min load average during the run mean ${during.mean}, max ${during.max}; at the end ${describeLoad()}`)
  if (results.errors.length > 0) console.log(`problems: ${results.errors.join("; ")}`)
}
