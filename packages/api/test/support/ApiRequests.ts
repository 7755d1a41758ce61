/**
 * Requests and answers of the transport-neutral handler, for tests: an ApiRequest with defaults,
 * a JSON request, a problem+json answer decoded with the contract's own Problem schema, and a
 * freshly signed-up user (unique email per call, so files can share nothing).
 */
import { Schema } from "effect"
import { expect } from "vitest"
import { Problem, type ApiRequest, type ApiResponse } from "../../src/index.js"
import type { InProcessApi } from "./InProcessApi.js"

export const apiRequest = (
  method: string,
  path: string,
  init: Partial<Omit<ApiRequest, "method" | "path">> = {}
): ApiRequest => ({ method, path, query: {}, headers: {}, body: undefined, remoteAddress: "127.0.0.1", ...init })

export const jsonRequest = (
  method: string,
  path: string,
  body: unknown,
  init: Partial<Omit<ApiRequest, "method" | "path" | "body">> = {}
): ApiRequest =>
  apiRequest(method, path, {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify(body)
  })

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const decodeProblemBody = Schema.decodeUnknownSync(Problem)

/** The answer's problem+json body, checked against the Problem schema and the answer's status. */
export const problemOf = (response: ApiResponse): Problem => {
  expect(response.headers["content-type"]).toBe("application/problem+json")
  const problem = decodeProblemBody(JSON.parse(response.body ?? "null"))
  expect(problem.status).toBe(response.status)
  return problem
}

export const jsonOf = (response: ApiResponse): any => JSON.parse(response.body ?? "null")

export const uniqueEmail = (label: string) => `${label}-${crypto.randomUUID()}@example.test`

export const STRONG_PASSWORD = "Correct-Horse-9"

export interface SignedUpUser {
  readonly userId: string
  readonly email: string
  readonly password: string
  readonly accessToken: string
  readonly refreshToken: string
}

export const signUp = async (api: InProcessApi, label: string, remoteAddress = `signup-${label}`): Promise<SignedUpUser> => {
  const email = uniqueEmail(label)
  const answer = await api.handle(
    jsonRequest("POST", "/api/auth/signup", { email, password: STRONG_PASSWORD, name: label }, { remoteAddress })
  )
  expect(answer.status, answer.body).toBe(201)
  const session = jsonOf(answer)
  return {
    userId: session.user.userId,
    email,
    password: STRONG_PASSWORD,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken
  }
}
