/**
 * API.md "Auth": sign-up, login, refresh rotation with reuse detection and its grace window,
 * logout, the access token's claims, and every kind of bad token refused on an auth route.
 */
import { createHmac } from "node:crypto"
import { expect, it } from "vitest"
import {
  expectProblem,
  expectStatus,
  isoInstant,
  jwtPayload,
  PASSWORD,
  sleep,
  unique,
  uniqueEmail,
  type Scenarios
} from "./ScenarioKit.js"

const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")

/** A JWT signed with HMAC of the given algorithm ("HS256", "HS512"). */
const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>, secret: string, hash: "sha256" | "sha512") => {
  const signingInput = `${b64url(header)}.${b64url(payload)}`
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest("base64url")}`
}

export const authScenarios = ({ kit }: Scenarios) => {
  it("signup answers 201 with the user (email normalised) and a token pair", async () => {
    const { anonymous } = kit()
    const email = uniqueEmail()
    const answer = await anonymous.request("auth.signup", {
      body: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: "  Ada Lovelace " }
    })
    const session = expectStatus(answer, 201)
    expect(session).toEqual({
      user: {
        userId: expect.any(String),
        email,
        name: "Ada Lovelace",
        emailVerified: false,
        profile: {},
        createdAt: isoInstant,
        updatedAt: isoInstant
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600
    })
    expect(session.refreshToken).not.toBe(session.accessToken)
    const me = expectStatus(await kit().client(session.accessToken).request("users.me"), 200)
    expect(me.userId).toBe(session.user.userId)
  })

  it("signup with a taken email, however spelled, is 409", async () => {
    const { anonymous, signup } = kit()
    const user = await signup()
    const answer = await anonymous.request("auth.signup", {
      body: { email: ` ${user.email.toUpperCase()}  `, password: PASSWORD, name: "Again" }
    })
    expectProblem(answer, 409, { code: "EmailTaken" })
  })

  it("signup with a weak password is 400 listing each unmet rule at password", async () => {
    const { anonymous } = kit()
    const short = expectProblem(
      await anonymous.request("auth.signup", { body: { email: uniqueEmail(), password: "abc", name: "W" } }),
      400,
      { paths: ["password"], exactPaths: true }
    )
    // Too short, no upper-case letter, no digit — one error each; the lower-case rule holds.
    expect(short.errors).toHaveLength(3)
    const messages = short.errors!.map((e) => e.message).join(" | ")
    expect(messages).toMatch(/8/)
    expect(messages).toMatch(/upper/i)
    expect(messages).toMatch(/digit/i)
    expect(messages).not.toMatch(/lower/i)
    expect(JSON.stringify(short)).not.toContain("abc\"")

    const noUpper = expectProblem(
      await anonymous.request("auth.signup", { body: { email: uniqueEmail(), password: "lowercase-only-1", name: "W" } }),
      400,
      { paths: ["password"], exactPaths: true }
    )
    expect(noUpper.errors).toHaveLength(1)
    expect(noUpper.errors![0]!.message).toMatch(/upper/i)
  })

  it("signup with a bad email or name is 400 naming each field", async () => {
    const { anonymous, raw } = kit()
    expectProblem(
      await anonymous.request("auth.signup", { body: { email: "not-an-email", password: PASSWORD, name: "N" } }),
      400,
      { paths: ["email"], exactPaths: true }
    )
    expectProblem(
      await anonymous.request("auth.signup", { body: { email: "nope@", password: PASSWORD, name: "   " } }),
      400,
      { paths: ["email", "name"], exactPaths: true }
    )
    expectProblem(await raw("POST", "/api/auth/signup", { body: { password: PASSWORD } }), 400, { paths: ["email", "name"] })
  })

  it("a body that is not JSON is 400, a body of another type is 415", async () => {
    const { raw } = kit()
    expectProblem(
      await raw("POST", "/api/auth/signup", { text: "{\"email\":", headers: { "content-type": "application/json" } }),
      400
    )
    expectProblem(
      await raw("POST", "/api/auth/signup", {
        text: `email=${uniqueEmail()}&password=${PASSWORD}&name=x`,
        headers: { "content-type": "application/x-www-form-urlencoded" }
      }),
      415
    )
  })

  it("login answers 200 as signup; unknown email and wrong password are the same 401", async () => {
    const { anonymous, signup } = kit()
    const user = await signup()
    const session = expectStatus(
      await anonymous.request("auth.login", { body: { email: ` ${user.email.toUpperCase()}`, password: PASSWORD } }),
      200
    )
    expect(session).toMatchObject({
      user: { userId: user.userId, email: user.email, name: user.name },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600
    })
    expect(session.refreshToken).not.toBe(user.refreshToken)

    const wrongPassword = await anonymous.request("auth.login", { body: { email: user.email, password: "Wrong-Password-1" } })
    const unknownEmail = await anonymous.request("auth.login", { body: { email: uniqueEmail(), password: PASSWORD } })
    expectProblem(wrongPassword, 401)
    expectProblem(unknownEmail, 401)
    expect(unknownEmail.body).toEqual(wrongPassword.body)
    expect(JSON.stringify(wrongPassword.body)).not.toContain("Wrong-Password-1")
  })

  it("login with a malformed body is 400", async () => {
    const { anonymous } = kit()
    expectProblem(await anonymous.request("auth.login", { body: { email: "x", password: PASSWORD } }), 400, { paths: ["email"] })
  })

  it("refresh rotates; replaying the parent within the grace window answers the current child", async () => {
    const { anonymous, client, signup } = kit()
    const user = await signup()
    const first = expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 200)
    expect(first).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 3600 })
    expect(first.refreshToken).not.toBe(user.refreshToken)
    expect(expectStatus(await client(first.accessToken).request("users.me"), 200).userId).toBe(user.userId)

    // A second tab refreshing with the same (now rotated) token right away is not logged out.
    const replay = expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 200)
    expect(replay.refreshToken).toBe(first.refreshToken)

    // The child rotates on as usual.
    const second = expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: first.refreshToken } }), 200)
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(jwtPayload(second.accessToken)["sub"]).toBe(user.userId)
  })

  it("reusing a rotated refresh token after the grace window is 401 and revokes the family", async () => {
    const { anonymous, target, signup } = kit()
    const user = await signup()
    const child = expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 200)
    await sleep((target.refreshGraceMs ?? 10_000) + 1_000)
    expectProblem(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 401, {
      code: "RefreshTokenReused"
    })
    // The whole family ended: the child that was never reused is refused too.
    expectProblem(await anonymous.request("auth.refresh", { body: { refreshToken: child.refreshToken } }), 401)
  }, 60_000)

  it("logout is 204 and revokes the family; refresh afterwards is 401", async () => {
    const { anonymous, signup } = kit()
    const user = await signup()
    const child = expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 200)
    const logout = await anonymous.request("auth.logout", { body: { refreshToken: child.refreshToken } })
    expect(logout.status).toBe(204)
    expect(logout.body).toBeUndefined()
    expectProblem(await anonymous.request("auth.refresh", { body: { refreshToken: child.refreshToken } }), 401)
    // Even the parent's replay (within the grace window) does not reach the ended family.
    expectProblem(await anonymous.request("auth.refresh", { body: { refreshToken: user.refreshToken } }), 401)
    // Another session of the same user is untouched.
    const other = expectStatus(await anonymous.request("auth.login", { body: { email: user.email, password: PASSWORD } }), 200)
    expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: other.refreshToken } }), 200)
  })

  it("logout of an unknown token is 204; refresh of an unknown token is 401; no token is 400", async () => {
    const { anonymous } = kit()
    expect((await anonymous.request("auth.logout", { body: { refreshToken: unique("nope") } })).status).toBe(204)
    expectProblem(await anonymous.request("auth.refresh", { body: { refreshToken: unique("nope") } }), 401)
    expectProblem(await kit().raw("POST", "/api/auth/refresh", { body: {} }), 400, { paths: ["refreshToken"] })
  })

  it("the access token carries sub, email, iat, exp = iat + 1 h, iss and aud", async () => {
    const user = await kit().signup()
    const header = JSON.parse(Buffer.from(user.accessToken.split(".")[0]!, "base64url").toString("utf8")) as Record<string, unknown>
    expect(header["alg"]).not.toBe("none")
    const claims = jwtPayload(user.accessToken)
    expect(claims).toMatchObject({
      sub: user.userId,
      email: user.email,
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: expect.any(String)
    })
    expect(claims["exp"]).toBe((claims["iat"] as number) + 3600)
    expect(Math.abs((claims["iat"] as number) - Date.now() / 1000)).toBeLessThan(300)
    expect((claims["iss"] as string).length).toBeGreaterThan(0)
    const aud = claims["aud"]
    expect(typeof aud === "string" ? aud.length : Array.isArray(aud) ? aud.length : 0).toBeGreaterThan(0)
  })

  it("a missing, malformed, tampered or unsigned (alg: none) token is 401 on an auth route", async () => {
    const { client, raw, signup } = kit()
    const [user, other] = await Promise.all([signup(), signup()])
    const [header, payload, signature] = user.accessToken.split(".") as [string, string, string]
    const flipped = `${signature.slice(0, 5)}${signature[5] === "A" ? "B" : "A"}${signature.slice(6)}`
    const otherPayload = other.accessToken.split(".")[1]!
    const refused = [
      `${header}.${payload}.${flipped}`,
      `${header}.${otherPayload}.${signature}`,
      `${b64url({ alg: "none", typ: "JWT" })}.${payload}.`,
      `${b64url({ alg: "none" })}.${payload}`,
      `${header}.${payload}`,
      "not-a-token"
    ]
    for (const token of refused) expectProblem(await client(token).request("users.me"), 401)
    expectProblem(await raw("GET", "/api/users/me"), 401)
    expectProblem(await raw("GET", "/api/users/me", { headers: { authorization: `Basic ${b64url("a:b")}` } }), 401)
    expectProblem(await raw("GET", "/api/users/me", { headers: { authorization: user.accessToken } }), 401)
    // The genuine token still works (the refusals above were about the token, not the user).
    expectStatus(await user.api.request("users.me"), 200)
  })

  it("with the signing secret: a forged valid token works, an expired one or another algorithm is 401", async (context) => {
    const { client, signup, target } = kit()
    const secret = target.accessTokenSecret
    if (secret === undefined) return context.skip()
    const user = await signup()
    const claims = jwtPayload(user.accessToken)
    const now = Math.floor(Date.now() / 1000)
    const header = { alg: "HS256", typ: "JWT" }
    // Control: the secret is right, so the refusals below are about expiry and algorithm.
    const valid = signJwt(header, { ...claims, iat: now - 60, exp: now + 3540 }, secret, "sha256")
    expect(expectStatus(await client(valid).request("users.me"), 200).userId).toBe(user.userId)

    const expired = signJwt(header, { ...claims, iat: now - 7200, exp: now - 3600 }, secret, "sha256")
    expectProblem(await client(expired).request("users.me"), 401)
    const hs512 = signJwt({ alg: "HS512", typ: "JWT" }, { ...claims, iat: now - 60, exp: now + 3540 }, secret, "sha512")
    expectProblem(await client(hs512).request("users.me"), 401)
    const wrongAudience = signJwt(header, { ...claims, aud: unique("aud"), iat: now - 60, exp: now + 3540 }, secret, "sha256")
    expectProblem(await client(wrongAudience).request("users.me"), 401)
    const wrongSecret = signJwt(header, { ...claims, iat: now - 60, exp: now + 3540 }, `${secret}-not`, "sha256")
    expectProblem(await client(wrongSecret).request("users.me"), 401)
  })
}
