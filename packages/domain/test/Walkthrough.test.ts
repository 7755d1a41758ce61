/**
 * `npm start` runs examples/walkthrough.mjs: the product end to end on the embedded default,
 * importing only the built package as an npm user would. This runs that script against dist (the
 * test target depends on build) and checks every step's outcome line, the exit code, and that no
 * token or secret reaches the output — at most a length.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"

const packageDir = join(import.meta.dirname, "..")
const script = join(packageDir, "examples", "walkthrough.mjs")

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly lines: ReadonlyArray<string>
}

/** Each line the walkthrough prints, in order: exact text, or a pattern where a length or time varies. */
const expected: ReadonlyArray<string | RegExp> = [
  "Ad platform backend, embedded default: every store in memory; scrypt (OWASP cost), JWTs, AES-256-GCM are real.",
  "[auth] Alice signed up as alice@example.com",
  "[auth] Bob signed up as bob@example.com",
  /^\[auth\] Alice logged in \(access token \d{3} chars, expires in 3600 s\)$/,
  /^\[auth\] Bob logged in \(access token \d{3} chars\)$/,
  "[auth] wrong password refused: Unauthenticated InvalidCredentials",
  "[teams] Alice created team \"Growth\" (her role: owner)",
  "[teams] Alice invited bob@example.com as admin",
  "[teams] Bob sees 1 invitation: \"Growth\" as admin",
  "[teams] Bob accepted: now admin of \"Growth\"",
  "[teams] \"Growth\" members: Alice (owner), Bob (admin)",
  "[users] Alice looks up Bob: userId + name only (name \"Bob\", no email)",
  "[platforms] Alice saved google config \"Default\" (version 1)",
  "[platforms] update made at version 1 saved: now version 2",
  "[platforms] another update still made at version 1 refused: Conflict VersionConflict",
  "[platforms] credentials stored for google account acct-1001 (active, encrypted, never echoed)",
  "[platforms] fake google platform seeded with 2 campaigns for acct-1001 (it accepts only the stored key)",
  "[platforms] sync: 2 created, 0 updated, 0 unchanged, 0 removed",
  "[platforms] sync again: 0 created, 0 updated, 2 unchanged, 0 removed",
  "[platforms] campaigns: Brand search (PAUSED), Spring sale (ENABLED)",
  "[chat] Alice created room \"general\" in \"Growth\"",
  "[chat] Alice and Bob sent 4 messages: #1, #2, #3, #4",
  "[chat] Bob's resend with the same clientMessageId: original #2 returned (created: false)",
  "[chat] history, newest first, 2 per page: [#4, #3] then [#2, #1]",
  "[chat] Bob follows from #2: caught up #3, #4, then #5 live",
  /^\[qr\] desktop started a QR login \(expires in 120 s; the QR opens http:\/\/localhost:5173\/qr\/approve\)$/,
  "[qr] Bob scanned it: request from 203.0.113.7, \"Firefox 140 on Linux (desktop)\"",
  "[qr] Bob approved it",
  /^\[qr\] desktop exchanged: tokens issued for bob@example\.com \(access token \d{3} chars, refresh token 43 chars\)$/,
  "[qr] second exchange refused: Conflict QrAlreadyUsed; status now consumed",
  "[sensors] Alice registered device \"Lobby sensor\" (ingest key shown once: 43 chars)",
  "[sensors] ingest with a wrong key refused: Unauthenticated InvalidDeviceKey",
  "[sensors] batch of 6: 4 accepted, 1 duplicate, rejected #5 (readings.5.humidity)",
  "[sensors] 1-minute buckets: [2 readings, 21–21.4 °C (avg 21.2), co2 avg 630] [2 readings, 22–22.6 °C (avg 22.3), co2 avg 710]",
  /^\[sensors\] team's latest reading \(seen by Bob\): "Lobby sensor" \d{1,3} s ago, 22\.6 °C at \(120, 80\)$/,
  "[refresh] Alice's refresh token rotated (new refresh token 43 chars)",
  "[refresh] replaying the old token within the grace window: the same new refresh token is returned",
  "[refresh] Alice logged out: the token family is revoked",
  "[refresh] next refresh refused: Unauthenticated RefreshTokenRevoked",
  /^All steps passed in \d+\.\d s\.$/
]

describe("the npm start walkthrough", () => {
  let run: Run

  beforeAll(() => {
    if (!existsSync(join(packageDir, "dist", "index.js"))) {
      throw new Error("packages/domain/dist is missing: build the domain first (nx run @app/domain:build)")
    }
    // Plain node on the built package: no source conditions or loaders inherited from the test runner.
    const { NODE_OPTIONS: _ignored, ...env } = process.env
    const result = spawnSync(process.execPath, [script], { cwd: packageDir, env, encoding: "utf8", timeout: 120_000 })
    if (result.error !== undefined) throw result.error
    run = {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      lines: result.stdout.split("\n").filter((line) => line.length > 0)
    }
  }, 150_000)

  it("exits 0 with nothing on stderr", () => {
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
  })

  it("prints one line per step, each with its expected outcome", () => {
    expect(run.lines).toHaveLength(expected.length)
    run.lines.forEach((line, i) => {
      const want = expected[i]!
      if (typeof want === "string") expect(line).toBe(want)
      else expect(line).toMatch(want)
    })
  })

  it("shows the campaign sync idempotent and the chat catch-up exact", () => {
    expect(run.lines).toContain("[platforms] sync again: 0 created, 0 updated, 2 unchanged, 0 removed")
    expect(run.lines).toContain("[chat] Bob follows from #2: caught up #3, #4, then #5 live")
  })

  it("prints no token, key or secret", () => {
    const output = run.stdout + run.stderr
    // JWTs (a base64url JSON header starts with "eyJ").
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}/)
    // Generated secrets, refresh tokens, ingest keys, poll secrets and scan keys are 32+ characters
    // of base64/base64url/hex: no such run may appear.
    expect(output).not.toMatch(/[A-Za-z0-9+/_=-]{32,}/)
    // Nor a QR payload, which carries the scan key.
    expect(output).not.toMatch(/[?&](c|k)=/)
  })
})
