/** Sign-up, login, refresh and logout (API.md "Auth"); login and sign-up are rate limited per client address. */
import { Auth, LoginInput, RefreshInput, SignupInput } from "@app/domain"
import { Effect, Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { UserBody } from "./UserRoutes.js"

export const TokenPairBody = Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.String,
  expiresIn: Schema.Int
})

export const SessionBody = Schema.Struct({
  user: UserBody,
  accessToken: Schema.String,
  refreshToken: Schema.String,
  expiresIn: Schema.Int
})

export const signup = endpoint({
  name: "auth.signup",
  method: "POST",
  path: "/api/auth/signup",
  tag: "auth",
  summary: "Create an account (409 when the email is taken; 400 lists each unmet password rule)",
  auth: "none",
  body: SignupInput,
  status: 201,
  response: SessionBody,
  errors: [400, 409, 429],
  rateLimit: { policy: "signup", key: ({ request }) => request.remoteAddress },
  handle: ({ body }) =>
    Auth.use((auth) => auth.signup(body)).pipe(Effect.map(({ tokens, user }) => ({ user, ...tokens })))
})

export const login = endpoint({
  name: "auth.login",
  method: "POST",
  path: "/api/auth/login",
  tag: "auth",
  summary: "Log in (401 alike for an unknown email and a wrong password)",
  auth: "none",
  body: LoginInput,
  response: SessionBody,
  errors: [400, 401, 429],
  rateLimit: { policy: "login", key: ({ request }) => request.remoteAddress },
  handle: ({ body }) =>
    Auth.use((auth) => auth.login(body)).pipe(Effect.map(({ tokens, user }) => ({ user, ...tokens })))
})

export const refresh = endpoint({
  name: "auth.refresh",
  method: "POST",
  path: "/api/auth/refresh",
  tag: "auth",
  summary: "A new token pair; a reused (already rotated) token revokes its family",
  auth: "none",
  body: RefreshInput,
  response: TokenPairBody,
  errors: [400, 401],
  handle: ({ body }) => Auth.use((auth) => auth.refresh(body.refreshToken))
})

export const logout = endpoint({
  name: "auth.logout",
  method: "POST",
  path: "/api/auth/logout",
  tag: "auth",
  summary: "Revoke the refresh token's family",
  auth: "none",
  body: RefreshInput,
  errors: [400],
  handle: ({ body }) => Auth.use((auth) => auth.logout(body.refreshToken))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [signup, login, refresh, logout] as const
