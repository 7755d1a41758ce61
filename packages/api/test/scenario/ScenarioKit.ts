/**
 * What every scenario file shares: the target a suite runs against (in-process handler, or a real
 * server on some store), the typed client per user, raw requests for what the typed client cannot
 * express (a wrong content type, a bad JSON text, the exact response text), and the assertions on
 * answers and problem+json. Nothing here assumes an empty store: every user and name is unique.
 */
import { expect } from "vitest"
import { makeApiClient, type ApiClient, type Problem, type RawAnswer } from "../../src/index.js"

/** One deployment of the contract, as a scenario suite sees it. */
export interface ScenarioTarget {
  /** Origin of the API, e.g. "http://127.0.0.1:3000" (any origin for the in-process fetch). */
  readonly baseUrl: string
  /** The fetch that reaches it (globalThis.fetch for a real server). */
  readonly fetch: typeof fetch
  /** Where the server's sockets and SSE streams are; absent: the realtime scenarios are skipped. */
  readonly realtime?: {
    /** "ws://host:port" — the suite appends "/ws/chat". */
    readonly wsUrl: string
    /** "http://host:port" — the suite appends "/api/qr/sse/{challengeId}". */
    readonly sseBase: string
  }
  /**
   * The HS256 access-token secret the target signs with, when the test knows it: enables the
   * scenarios that forge tokens (expired, another algorithm) — and a control forging a valid one.
   */
  readonly accessTokenSecret?: string
  /** The refresh-token grace window the target runs with (default 10 000 ms, the product's). */
  readonly refreshGraceMs?: number
  readonly dispose: () => Promise<void>
}

/** A signed-up user with a typed client that sends their access token. */
export interface ScenarioUser {
  readonly userId: string
  readonly email: string
  readonly password: string
  readonly name: string
  readonly accessToken: string
  readonly refreshToken: string
  readonly api: ApiClient
}

/** An answer read as text: for searching what a response must never contain. */
export interface RawTextAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

export const PASSWORD = "Correct-Horse-9"

/** Unique per call, across processes and runs. */
export const unique = (prefix = "s") => `${prefix}-${crypto.randomUUID().slice(0, 13)}`

export const uniqueEmail = () => `${crypto.randomUUID()}@example.test`

export const makeKit = (target: ScenarioTarget) => {
  const base = target.baseUrl.replace(/\/+$/, "")

  /** A client without a token, or with a fixed one. */
  const client = (accessToken?: string): ApiClient =>
    makeApiClient({
      baseUrl: base,
      fetch: target.fetch,
      ...(accessToken === undefined ? {} : { accessToken: () => accessToken })
    })

  const anonymous = client()

  const signup = async (fields: { readonly name?: string; readonly email?: string } = {}): Promise<ScenarioUser> => {
    const email = fields.email ?? uniqueEmail()
    const name = fields.name ?? unique("user")
    const answer = await anonymous.request("auth.signup", { body: { email, password: PASSWORD, name } })
    const session = expectStatus(answer, 201)
    return {
      userId: session.user.userId,
      email: session.user.email,
      password: PASSWORD,
      name,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      api: client(session.accessToken)
    }
  }

  /** Any request, answered as text (and JSON when it parses). */
  const raw = async (
    method: string,
    path: string,
    options: {
      readonly token?: string
      readonly body?: unknown
      /** Sent as is (not JSON-encoded). */
      readonly text?: string
      readonly headers?: Readonly<Record<string, string>>
    } = {}
  ): Promise<RawTextAnswer> => {
    const headers: Record<string, string> = { accept: "application/json" }
    if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
    let body: string | undefined
    if (options.body !== undefined) {
      headers["content-type"] = "application/json"
      body = JSON.stringify(options.body)
    }
    if (options.text !== undefined) body = options.text
    Object.assign(headers, options.headers)
    const response = await target.fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }

  /**
   * A team with one user of each role and an outsider: the owner creates it, invites the admin and
   * the member, and they accept.
   */
  const teamWithRoles = async () => {
    const [owner, admin, member, outsider] = await Promise.all([signup(), signup(), signup(), signup()])
    const created = expectStatus(await owner.api.request("teams.create", { body: { name: unique("team") } }), 201)
    const teamId = created.teamId
    await join(owner, teamId, admin, "admin")
    await join(owner, teamId, member, "member")
    return { teamId, owner, admin, member, outsider }
  }

  /** `inviter` invites `invitee` with `role`, and the invitee accepts. */
  const join = async (inviter: ScenarioUser, teamId: string, invitee: ScenarioUser, role: "admin" | "member") => {
    const invitation = expectStatus(
      await inviter.api.request("teams.invite", { params: { teamId }, body: { email: invitee.email, role } }),
      201
    )
    expectStatus(await invitee.api.request("teams.accept", { params: { invitationId: invitation.invitationId } }), 200)
  }

  return { target, client, anonymous, signup, raw, teamWithRoles, join }
}

export type ScenarioKit = ReturnType<typeof makeKit>

/**
 * What each area's scenarios receive: the kit, available once the suite's target is up (inside a
 * test, never while tests are being declared).
 */
export interface Scenarios {
  readonly kit: () => ScenarioKit
}

const describeAnswer = (answer: { readonly status: number; readonly body?: unknown; readonly text?: string }) =>
  `status ${answer.status}: ${answer.text ?? JSON.stringify(answer.body)}`

/** Asserts the status and returns the body as the route's success type. */
export const expectStatus = <A>(answer: RawAnswer<A>, status: number): Exclude<A, Problem> => {
  expect(answer.status, describeAnswer(answer)).toBe(status)
  return answer.body as Exclude<A, Problem>
}

/**
 * Asserts a problem+json answer with this status; with `paths`, that `errors` names each of them
 * (and only fields among them when `exactPaths`). Returns the problem.
 */
export const expectProblem = (
  answer: { readonly status: number; readonly headers: Headers; readonly body?: unknown; readonly json?: unknown; readonly text?: string },
  status: number,
  options: { readonly paths?: ReadonlyArray<string>; readonly exactPaths?: boolean; readonly code?: string } = {}
): Problem => {
  expect(answer.status, describeAnswer(answer)).toBe(status)
  expect(answer.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json\b/)
  const problem = ("json" in answer ? answer.json : answer.body) as Problem
  expect(problem).toMatchObject({ status, title: expect.any(String), type: expect.any(String) })
  if (options.code !== undefined) expect(problem.code).toBe(options.code)
  if (options.paths !== undefined) {
    const paths = (problem.errors ?? []).map((e) => e.path)
    for (const path of options.paths) expect(paths, JSON.stringify(problem.errors)).toContain(path)
    if (options.exactPaths === true) expect([...new Set(paths)].sort()).toEqual([...new Set(options.paths)].sort())
    for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.any(String))
  }
  return problem
}

/** An ISO-8601 UTC instant as the contract writes them. */
export const isoInstant = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)

/** The JSON payload of a JWT, unverified. */
export const jwtPayload = (token: string): Record<string, unknown> => {
  const [, payload] = token.split(".")
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
