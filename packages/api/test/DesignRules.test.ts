/**
 * DESIGN.md's security rule "secrets never in logs", checked at the contract that both shells share:
 * every secret the product takes or hands out (passwords, access and refresh tokens, a platform
 * credential, a device's ingest key, a QR scan key and poll secret, and wrong guesses of each)
 * goes through the handler with every log level on and a store failing mid-way, and no log line
 * may contain any of them. The shells' own log tests cover their transport lines; this covers
 * what the handler and the use cases log.
 */
import { AuthConfig, RefreshTokenStore, RefreshTokenStoreError, Unexpected } from "@app/domain"
import { layer as memoryStores, RefreshTokenStoreMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { Effect, Layer, Logger, ManagedRuntime, References } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { apiHandler, ApiSettings, Authenticator, defaultApiSettings, Readiness, type ApiRequest } from "../src/index.js"
import { apiRequest, bearer, jsonOf, jsonRequest, STRONG_PASSWORD, uniqueEmail } from "./support/ApiRequests.js"
import { LogCollector } from "./support/LogCollector.js"

const logs = new LogCollector()

/** While set, the refresh-token store fails every lookup as a broken database would. */
let refreshStoreDown = false

/** The in-memory refresh-token store, except that it can be switched to fail. */
const switchableRefreshStore = Layer.effect(
  RefreshTokenStore,
  Effect.map(RefreshTokenStoreMemory.make, (store) =>
    RefreshTokenStore.of({
      ...store,
      lookup: (tokenHash) =>
        refreshStoreDown
          ? Effect.fail(new RefreshTokenStoreError({ reason: new Unexpected({ message: "the store is down" }) }))
          : store.lookup(tokenHash)
    }))
)

const product = InProcess.make({
  stores: Layer.merge(memoryStores, switchableRefreshStore),
  authConfig: AuthConfig.layerTest(),
  cipher: LocalEnvelopeCipher.layerTest,
  passwordHasher: ScryptPasswordHasher.layerTest
})

const runtime = ManagedRuntime.make(
  Layer.mergeAll(Authenticator.bearer, Readiness.layerNone).pipe(
    Layer.provideMerge(product),
    Layer.provideMerge(Layer.succeed(ApiSettings, defaultApiSettings)),
    Layer.provideMerge(Logger.layer([Logger.map(Logger.formatJson, (line) => logs.write(`${line}\n`))])),
    Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "All"))
  )
)
afterAll(() => runtime.dispose())

const handle = (request: ApiRequest) => runtime.runPromise(apiHandler(request))

/** A value no fixture or id could contain by chance. */
const marker = (label: string) => `${label}-${crypto.randomUUID()}`

describe("DESIGN: secrets never in logs", () => {
  it("no password, token, credential, device key or QR secret — given or guessed — appears in any log line", async () => {
    const secrets: Array<string> = [STRONG_PASSWORD]
    const email = uniqueEmail("logs")

    const weakPassword = `${marker("weak").replace(/[A-Z0-9-]/g, "")}`
    secrets.push(weakPassword)
    expect((await handle(jsonRequest("POST", "/api/auth/signup", { email, password: weakPassword, name: "Logs" }))).status).toBe(400)

    const signup = await handle(jsonRequest("POST", "/api/auth/signup", { email, password: STRONG_PASSWORD, name: "Logs" }))
    expect(signup.status).toBe(201)
    const session = jsonOf(signup)
    secrets.push(session.accessToken, session.refreshToken)

    const wrongPassword = marker("Wrong-Password-1")
    secrets.push(wrongPassword)
    expect((await handle(jsonRequest("POST", "/api/auth/login", { email, password: wrongPassword }, { remoteAddress: "logs-1" }))).status).toBe(401)

    const forged = `${session.accessToken.slice(0, -4)}AAAA`
    secrets.push(forged)
    expect((await handle(apiRequest("GET", "/api/users/me", { headers: bearer(forged) }))).status).toBe(401)

    // Rotation, a replay of the parent, a guessed token, and the store failing under a refresh.
    const rotated = jsonOf(await handle(jsonRequest("POST", "/api/auth/refresh", { refreshToken: session.refreshToken })))
    secrets.push(rotated.accessToken, rotated.refreshToken)
    expect((await handle(jsonRequest("POST", "/api/auth/refresh", { refreshToken: session.refreshToken }))).status).toBe(200)
    const guessed = marker("guessed-refresh")
    secrets.push(guessed)
    expect((await handle(jsonRequest("POST", "/api/auth/refresh", { refreshToken: guessed }))).status).toBe(401)
    refreshStoreDown = true
    const failed = await handle(jsonRequest("POST", "/api/auth/refresh", { refreshToken: rotated.refreshToken }))
    refreshStoreDown = false
    expect(failed.status).toBe(500)

    const token = bearer(rotated.accessToken)
    const platformSecret = marker("platform-secret")
    secrets.push(platformSecret)
    const credentials = `/api/users/${session.user.userId}/platforms/naver/credentials/acct-logs`
    expect((await handle(jsonRequest("PUT", credentials, { credentials: { apiKey: platformSecret } }, { headers: token }))).status).toBe(200)
    expect((await handle(jsonRequest("PUT", credentials, { credentials: { apiKey: platformSecret }, status: "paused" }, { headers: token }))).status).toBe(400)

    const team = jsonOf(await handle(jsonRequest("POST", "/api/teams", { name: "Logs" }, { headers: token })))
    const device = jsonOf(await handle(jsonRequest("POST", "/api/devices", { teamId: team.teamId, name: "probe" }, { headers: token })))
    expect(typeof device.ingestKey).toBe("string")
    const wrongKey = marker("wrong-device-key")
    secrets.push(device.ingestKey, wrongKey)
    const readings = { deviceId: device.deviceId, readings: [{ ts: Date.now() - 1_000, co2: 400 }, { ts: "never", co2: -1 }] }
    expect((await handle(jsonRequest("POST", "/api/sensor-data", readings, { headers: { "x-device-key": wrongKey } }))).status).toBe(401)
    expect((await handle(jsonRequest("POST", "/api/sensor-data", readings, { headers: { "x-device-key": device.ingestKey } }))).status).toBe(200)

    const qr = jsonOf(await handle(apiRequest("POST", "/api/qr/init", { headers: { "user-agent": "logs-test" } })))
    // The scan key travels only inside the QR payload, beside the challenge id.
    const scanKey = [...new URL(qr.qrPayload).searchParams.values()].find((v) => v !== qr.challengeId)
    expect(typeof scanKey).toBe("string")
    const wrongPoll = marker("wrong-poll-secret")
    secrets.push(scanKey!, qr.pollSecret, wrongPoll)
    const challenge = { challengeId: qr.challengeId, scanKey }
    expect((await handle(jsonRequest("POST", "/api/qr/exchange", { challengeId: qr.challengeId, pollSecret: wrongPoll }))).status).toBeGreaterThanOrEqual(400)
    const scanned = await handle(jsonRequest("POST", "/api/qr/scan", challenge, { headers: token }))
    expect(scanned.status, scanned.body).toBe(200)
    expect((await handle(jsonRequest("POST", "/api/qr/approve", challenge, { headers: token }))).status).toBe(200)
    const exchanged = await handle(jsonRequest("POST", "/api/qr/exchange", { challengeId: qr.challengeId, pollSecret: qr.pollSecret }))
    expect(exchanged.status).toBe(200)
    secrets.push(jsonOf(exchanged).accessToken, jsonOf(exchanged).refreshToken)

    expect((await handle(jsonRequest("POST", "/api/auth/logout", { refreshToken: rotated.refreshToken }))).status).toBe(204)

    // The failing store was logged (so the sink works and sees the handler's error lines) …
    expect(logs.text).toContain("auth.refresh")
    // … and nothing logged holds a secret, whole or as its JSON-escaped form.
    for (const secret of secrets) {
      expect(typeof secret).toBe("string")
      expect(logs.text, `a log line holds ${secret.slice(0, 6)}…`).not.toContain(secret)
      expect(logs.text).not.toContain(JSON.stringify(secret).slice(1, -1))
    }
  })
})
