/**
 * The product on its embedded default, end to end: what `npm start` runs until the HTTP server
 * exists. Plain ESM JavaScript that imports only the built package (`@app/domain`,
 * `@app/domain/memory`, `@app/domain/node`) and `effect`, exactly as an npm user would.
 *
 * Every port is in process memory, but the crypto is real: scrypt at the OWASP cost, HS256 access
 * tokens signed with a secret generated at start, AES-256-GCM envelope encryption under a master
 * key generated at start. Every input is decoded with the package's own schemas (as the HTTP
 * contract will), every caller is the Actor of a verified access token, and every printed outcome
 * is checked: any surprise fails the run with exit code 1. No token or secret is ever printed,
 * at most its length.
 */
import { randomBytes } from "node:crypto"
import { Clock, Effect, Fiber, ManagedRuntime, Redacted, Stream } from "effect"
import {
  AccountId,
  Auth,
  AuthConfig,
  Campaigns,
  Chat,
  CreateConfigInput,
  CreateDeviceInput,
  CreateRoomInput,
  CreateTeamInput,
  decodeInput,
  IngestInput,
  InviteInput,
  ListMessagesInput,
  LoginInput,
  Platform,
  PlatformConfigs,
  PlatformCredentials,
  PutCredentialsInput,
  QrExchangeInput,
  QrInitInput,
  QrLogin,
  QrScanInput,
  QueryInput,
  RefreshInput,
  RemoteCampaign,
  SendMessageInput,
  Sensors,
  SignupInput,
  Teams,
  UpdateConfigInput,
  Users
} from "@app/domain"
import * as Memory from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"

const started = performance.now()

// ---------------------------------------------------------------------------------------------
// Wiring: the whole product in this process, with secrets that live only as long as it does.

const runtime = ManagedRuntime.make(
  InProcess.make({
    stores: Memory.layer,
    authConfig: AuthConfig.layer({
      accessTokenSecret: Redacted.make(randomBytes(48).toString("base64url")),
      refreshTokenSecret: Redacted.make(randomBytes(48).toString("base64url"))
    }),
    cipher: LocalEnvelopeCipher.layerFrom({
      keyId: "walkthrough-1",
      masterKey: Redacted.make(new Uint8Array(randomBytes(32)))
    }),
    passwordHasher: ScryptPasswordHasher.layer
  })
)

// ---------------------------------------------------------------------------------------------
// Helpers

const say = (area, text) => Effect.sync(() => console.log(`[${area}] ${text}`))

/** A broken promise of the walkthrough: fails the run. */
class WalkthroughError extends Error {}

const check = (condition, message) =>
  condition ? Effect.void : Effect.fail(new WalkthroughError(`check failed: ${message}`))

/** The expected refusal of `effect` (its tag and code, checked); success or another error fails the run. */
const refusal = (effect, tag, code) =>
  Effect.matchEffect(effect, {
    onSuccess: () => Effect.fail(new WalkthroughError(`expected ${tag} ${code}, but it succeeded`)),
    onFailure: (error) =>
      error?._tag === tag && error.code === code
        ? Effect.succeed(`${tag} ${code}`)
        : Effect.fail(new WalkthroughError(`expected ${tag} ${code}, got ${error?._tag} ${error?.code ?? error?.message}`))
  })

/** Decodes a request body as the HTTP contract will, with the package's own schema. */
const body = (schema, input) => decodeInput(schema)(input)

const seqs = (messages) => messages.map((m) => `#${m.seq}`).join(", ")

// ---------------------------------------------------------------------------------------------
// The walkthrough

const program = Effect.gen(function*() {
  const auth = yield* Auth
  const users = yield* Users
  const teams = yield* Teams
  const configs = yield* PlatformConfigs
  const credentials = yield* PlatformCredentials
  const campaigns = yield* Campaigns
  const fake = yield* Memory.CampaignSourceMemory.FakeAdPlatform
  const chat = yield* Chat
  const qr = yield* QrLogin
  const sensors = yield* Sensors

  /** What a shell does with a bearer token: verify it and act as its user. */
  const actorOf = (tokens) => auth.verify(tokens.accessToken)

  // ---- auth: sign up, log in, a wrong password

  const alicePassword = "Correct-Horse-7"
  const bobPassword = "Battery-Staple-9"
  const aliceSignup = yield* auth.signup(
    yield* body(SignupInput, { email: "  Alice@Example.com ", password: alicePassword, name: "Alice" })
  )
  yield* say("auth", `Alice signed up as ${aliceSignup.user.email}`)
  const bobSignup = yield* auth.signup(
    yield* body(SignupInput, { email: "bob@example.com", password: bobPassword, name: "Bob" })
  )
  yield* say("auth", `Bob signed up as ${bobSignup.user.email}`)

  const aliceLogin = yield* auth.login(yield* body(LoginInput, { email: "alice@example.com", password: alicePassword }))
  const alice = yield* actorOf(aliceLogin.tokens)
  yield* check(alice.userId === aliceSignup.user.userId, "Alice's access token speaks for Alice")
  yield* say(
    "auth",
    `Alice logged in (access token ${aliceLogin.tokens.accessToken.length} chars, expires in ${aliceLogin.tokens.expiresIn} s)`
  )
  const bobLogin = yield* auth.login(yield* body(LoginInput, { email: "bob@example.com", password: bobPassword }))
  const bob = yield* actorOf(bobLogin.tokens)
  yield* check(bob.userId === bobSignup.user.userId, "Bob's access token speaks for Bob")
  yield* say("auth", `Bob logged in (access token ${bobLogin.tokens.accessToken.length} chars)`)

  const wrongPassword = yield* refusal(
    Effect.flatMap(body(LoginInput, { email: "alice@example.com", password: "Wrong-Password-1" }), auth.login),
    "Unauthenticated",
    "InvalidCredentials"
  )
  yield* say("auth", `wrong password refused: ${wrongPassword}`)

  // ---- teams: create, invite, accept

  const team = yield* teams.create(alice, yield* body(CreateTeamInput, { name: " Growth " }))
  yield* say("teams", `Alice created team "${team.name}" (her role: ${team.role})`)
  const invitation = yield* teams.invite(alice, team.teamId, yield* body(InviteInput, { email: "bob@example.com", role: "admin" }))
  yield* say("teams", `Alice invited ${invitation.email} as ${invitation.role}`)
  const pending = yield* teams.myInvitations(bob)
  yield* check(pending.length === 1 && pending[0].invitationId === invitation.invitationId, "Bob sees the invitation")
  yield* say("teams", `Bob sees ${pending.length} invitation: "${pending[0].teamName}" as ${pending[0].role}`)
  const membership = yield* teams.accept(bob, pending[0].invitationId)
  yield* say("teams", `Bob accepted: now ${membership.role} of "${team.name}"`)
  const details = yield* teams.get(alice, team.teamId)
  const members = details.members.map((m) => `${m.name} (${m.role})`).join(", ")
  yield* check(members === "Alice (owner), Bob (admin)", "the team has both members")
  yield* say("teams", `"${details.name}" members: ${members}`)

  // ---- users: a teammate sees only a summary

  const bobAsSeen = yield* users.get(alice, bob.userId)
  yield* check(!("email" in bobAsSeen), "a teammate's summary has no email")
  yield* say("users", `Alice looks up Bob: ${Object.keys(bobAsSeen).join(" + ")} only (name "${bobAsSeen.name}", no email)`)

  // ---- platforms: a config with optimistic versions

  const google = yield* decodeInput(Platform)("google")
  const config = yield* configs.create(
    alice,
    alice.userId,
    google,
    yield* body(CreateConfigInput, { name: "Default", settings: { currency: "KRW", dailyBudget: 50_000 }, makeCurrent: true })
  )
  yield* say("platforms", `Alice saved google config "${config.name}" (version ${config.version})`)
  const updated = yield* configs.update(
    alice,
    alice.userId,
    google,
    config.configId,
    yield* body(UpdateConfigInput, { settings: { currency: "KRW", dailyBudget: 80_000 }, version: config.version })
  )
  yield* say("platforms", `update made at version ${config.version} saved: now version ${updated.version}`)
  const stale = yield* refusal(
    Effect.flatMap(
      body(UpdateConfigInput, { settings: { currency: "USD" }, version: config.version }),
      (input) => configs.update(alice, alice.userId, google, config.configId, input)
    ),
    "Conflict",
    "VersionConflict"
  )
  yield* say("platforms", `another update still made at version ${config.version} refused: ${stale}`)

  // ---- platforms: encrypted credentials and campaign sync against the fake ad platform

  const accountId = yield* decodeInput(AccountId)("acct-1001")
  const apiKey = randomBytes(24).toString("base64url")
  const summary = yield* credentials.put(alice, alice.userId, google, accountId, yield* body(PutCredentialsInput, { credentials: apiKey }))
  yield* check(!JSON.stringify(summary).includes(apiKey), "the summary does not echo the secret")
  yield* say("platforms", `credentials stored for google account ${summary.accountId} (${summary.status}, encrypted, never echoed)`)

  // The fake platform accepts only that key: a sync succeeds only if the stored secret decrypts back to it.
  yield* fake.acceptOnly(google, accountId, apiKey)
  yield* fake.setCampaigns(google, accountId, [
    new RemoteCampaign({
      campaignId: "cmp-spring",
      campaignData: { name: "Spring sale" },
      status: "ENABLED",
      metrics: { impressions: 12_000, clicks: 340 }
    }),
    new RemoteCampaign({
      campaignId: "cmp-brand",
      campaignData: { name: "Brand search" },
      status: "PAUSED",
      metrics: { impressions: 4_100, clicks: 95 }
    })
  ])
  yield* say("platforms", `fake google platform seeded with 2 campaigns for ${accountId} (it accepts only the stored key)`)

  const counts = (result) => {
    const [account] = result.accounts
    if (result.accounts.length !== 1 || account.error !== undefined) return undefined
    return `${account.created} created, ${account.updated} updated, ${account.unchanged} unchanged, ${account.removed} removed`
  }
  const firstSync = counts(yield* campaigns.sync(alice, alice.userId, google))
  yield* check(firstSync === "2 created, 0 updated, 0 unchanged, 0 removed", `first sync: ${firstSync}`)
  yield* say("platforms", `sync: ${firstSync}`)
  const secondSync = counts(yield* campaigns.sync(alice, alice.userId, google))
  yield* check(secondSync === "0 created, 0 updated, 2 unchanged, 0 removed", `second sync: ${secondSync}`)
  yield* say("platforms", `sync again: ${secondSync}`)
  const stored = yield* campaigns.list(alice, alice.userId, google, {})
  yield* say("platforms", `campaigns: ${stored.map((c) => `${c.campaignData.name} (${c.status})`).join(", ")}`)

  // ---- chat: rooms, idempotent sends, history, catch-up

  const room = yield* chat.createRoom(alice, yield* body(CreateRoomInput, { teamId: team.teamId, name: "general" }))
  yield* say("chat", `Alice created room "${room.name}" in "${team.name}"`)
  const send = (actor, text, clientMessageId) =>
    Effect.flatMap(body(SendMessageInput, { body: text, clientMessageId }), (input) => chat.send(actor, room.roomId, input))
  const sent = []
  for (const [actor, text, id] of [
    [alice, "Morning! Campaign sync is live.", "a-1"],
    [bob, "Nice, I see both campaigns.", "b-1"],
    [alice, "Brand search is paused for now.", "a-2"],
    [bob, "Got it.", "b-2"]
  ]) {
    sent.push((yield* send(actor, text, id)).message)
  }
  yield* say("chat", `Alice and Bob sent 4 messages: ${seqs(sent)}`)
  const resend = yield* send(bob, "Nice, I see both campaigns.", "b-1")
  yield* check(!resend.created && resend.message.messageId === sent[1].messageId, "a resend returns the original")
  yield* say("chat", `Bob's resend with the same clientMessageId: original #${resend.message.seq} returned (created: ${resend.created})`)

  const page1 = yield* chat.listMessages(bob, room.roomId, yield* body(ListMessagesInput, { limit: 2 }))
  const page2 = yield* chat.listMessages(bob, room.roomId, yield* body(ListMessagesInput, { limit: 2, before: page1.nextCursor }))
  yield* check(seqs(page1.messages) === "#4, #3" && seqs(page2.messages) === "#2, #1", "history pages newest first")
  yield* say("chat", `history, newest first, 2 per page: [${seqs(page1.messages)}] then [${seqs(page2.messages)}]`)

  // A client that saw up to #2 reconnects: it gets #3 and #4 from the store, then #5 live.
  const follower = yield* Effect.forkChild(Stream.runCollect(Stream.take(chat.follow(bob, room.roomId, 2), 3)))
  const live = (yield* send(alice, "Welcome back, Bob.", "a-3")).message
  const followed = yield* Fiber.join(follower)
  yield* check(seqs(followed) === `#3, #4, #${live.seq}`, `follow after #2 gave ${seqs(followed)}`)
  yield* say("chat", `Bob follows from #2: caught up ${seqs(followed.slice(0, 2))}, then #${followed[2].seq} live`)

  // ---- QR login: desktop starts, phone (Bob) scans and approves, desktop exchanges once

  const challenge = yield* qr.init(yield* body(QrInitInput, { ip: "203.0.113.7", userAgent: "Firefox 140 on Linux (desktop)" }))
  const qrUrl = new URL(challenge.qrPayload)
  const now = yield* Clock.currentTimeMillis
  yield* say(
    "qr",
    `desktop started a QR login (expires in ${Math.round((challenge.expiresAt - now) / 1000)} s; the QR opens ${qrUrl.origin}${qrUrl.pathname})`
  )
  const scanInput = yield* body(QrScanInput, { challengeId: qrUrl.searchParams.get("c"), scanKey: qrUrl.searchParams.get("k") })
  const scanned = yield* qr.scan(bob, scanInput)
  yield* say("qr", `Bob scanned it: request from ${scanned.requester.ip}, "${scanned.requester.userAgent}"`)
  const decision = yield* qr.approve(bob, scanInput)
  yield* say("qr", `Bob ${decision.status} it`)
  const exchangeInput = yield* body(QrExchangeInput, { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })
  const desktopTokens = yield* qr.exchange(exchangeInput)
  const desktop = yield* actorOf(desktopTokens)
  yield* check(desktop.userId === bob.userId, "the desktop session is Bob's")
  yield* say(
    "qr",
    `desktop exchanged: tokens issued for ${desktop.email} (access token ${desktopTokens.accessToken.length} chars, refresh token ${desktopTokens.refreshToken.length} chars)`
  )
  const secondExchange = yield* refusal(qr.exchange(exchangeInput), "Conflict", "QrAlreadyUsed")
  yield* say("qr", `second exchange refused: ${secondExchange}; status now ${(yield* qr.status(challenge.challengeId)).status}`)

  // ---- sensors: a device, a batch with a duplicate and an invalid reading, buckets, latest

  const created = yield* sensors.createDevice(alice, yield* body(CreateDeviceInput, { teamId: team.teamId, name: "Lobby sensor" }))
  const device = created.device
  yield* say("sensors", `Alice registered device "${device.name}" (ingest key shown once: ${created.ingestKey.length} chars)`)
  const wrongKey = yield* refusal(
    Effect.flatMap(
      body(IngestInput, { readings: [{ ts: now, co2: 500 }] }),
      (input) => sensors.ingest(device.deviceId, randomBytes(32).toString("base64url"), input)
    ),
    "Unauthenticated",
    "InvalidDeviceKey"
  )
  yield* say("sensors", `ingest with a wrong key refused: ${wrongKey}`)

  // Two whole minutes that have just passed, so the buckets do not depend on when this runs.
  const minute = 60_000
  const m0 = Math.floor(now / minute) * minute - 2 * minute
  const batch = [
    { ts: m0 + 10_000, temperature: 21.0, humidity: 40, co2: 620 },
    { ts: m0 + 40_000, temperature: 21.4, humidity: 41, co2: 640 },
    { ts: m0 + minute + 15_000, temperature: 22.0, humidity: 43, co2: 700 },
    { ts: m0 + minute + 15_000, temperature: 22.0, humidity: 43, co2: 700 },
    { ts: m0 + minute + 45_000, temperature: 22.6, humidity: 44, co2: 720, x: 120, y: 80 },
    { ts: m0 + minute + 50_000, temperature: 21.9, humidity: 140 }
  ]
  const ingested = yield* sensors.ingest(device.deviceId, created.ingestKey, yield* body(IngestInput, { readings: batch }))
  const rejected = ingested.rejected.map((r) => `#${r.index} (${r.errors.map((e) => e.path).join(", ")})`).join(", ")
  yield* check(
    ingested.accepted === 4 && ingested.duplicates === 1 && rejected === "#5 (readings.5.humidity)",
    `ingest: ${JSON.stringify(ingested)}`
  )
  yield* say(
    "sensors",
    `batch of ${batch.length}: ${ingested.accepted} accepted, ${ingested.duplicates} duplicate, rejected ${rejected}`
  )

  const queried = yield* sensors.query(
    alice,
    yield* body(QueryInput, { deviceId: device.deviceId, from: m0, to: m0 + 2 * minute, bucket: "1m" })
  )
  const buckets = queried.buckets.map((b) =>
    `${b.count} readings, ${b.temperature.min}–${b.temperature.max} °C (avg ${b.temperature.avg.toFixed(1)}), co2 avg ${b.co2.avg}`
  )
  yield* check(queried._tag === "BucketQueryResult" && buckets.length === 2, `buckets: ${buckets.join(" | ")}`)
  yield* say("sensors", `1-minute buckets: [${buckets.join("] [")}]`)
  const latest = yield* sensors.latest(bob, team.teamId)
  yield* check(latest.length === 1 && latest[0].ts === m0 + minute + 45_000, "the latest reading is the newest by ts")
  yield* say(
    "sensors",
    `team's latest reading (seen by Bob): "${device.name}" ${Math.round((now - latest[0].ts) / 1000)} s ago, ${latest[0].temperature} °C at (${latest[0].x}, ${latest[0].y})`
  )

  // ---- refresh: rotation, replay within grace, logout

  const original = aliceLogin.tokens.refreshToken
  const rotated = yield* auth.refresh((yield* body(RefreshInput, { refreshToken: original })).refreshToken)
  yield* check(rotated.refreshToken !== original, "the refresh token rotates")
  yield* say("refresh", `Alice's refresh token rotated (new refresh token ${rotated.refreshToken.length} chars)`)
  const replayed = yield* auth.refresh((yield* body(RefreshInput, { refreshToken: original })).refreshToken)
  yield* check(replayed.refreshToken === rotated.refreshToken, "a replay within grace answers the current token")
  yield* say("refresh", "replaying the old token within the grace window: the same new refresh token is returned")
  yield* auth.logout((yield* body(RefreshInput, { refreshToken: rotated.refreshToken })).refreshToken)
  yield* say("refresh", "Alice logged out: the token family is revoked")
  const afterLogout = yield* refusal(
    auth.refresh((yield* body(RefreshInput, { refreshToken: rotated.refreshToken })).refreshToken),
    "Unauthenticated",
    "RefreshTokenRevoked"
  )
  yield* say("refresh", `next refresh refused: ${afterLogout}`)
})

console.log("Ad platform backend, embedded default: every store in memory; scrypt (OWASP cost), JWTs, AES-256-GCM are real.")
try {
  await runtime.runPromise(program)
  console.log(`All steps passed in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
} catch (error) {
  console.error("walkthrough failed:", error)
  process.exitCode = 1
} finally {
  await runtime.dispose()
}
