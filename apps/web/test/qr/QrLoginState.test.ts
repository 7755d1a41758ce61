import { describe, expect, it } from "vitest"
import { initialQrLoginState, type QrLoginEvent, type QrLoginState, reduceQrLogin } from "../../src/features/qr/QrLoginState"

const challenge = { challengeId: "c1", qrPayload: "http://app.test/qr/approve?c=c1&k=k1", pollSecret: "p1", expiresAt: 120_000 }
const run = (...events: ReadonlyArray<QrLoginEvent>): QrLoginState => events.reduce(reduceQrLogin, initialQrLoginState)
const started: QrLoginEvent = { type: "started", challenge, transport: "events" }

describe("the QR login state machine", () => {
  it("shows a started challenge as pending, then scanned, then signs in once approved", () => {
    expect(run(started)).toEqual({ phase: "waiting", challenge, status: "pending", transport: "events" })
    expect(run(started, { type: "status", challengeId: "c1", status: "scanned" })).toMatchObject({ phase: "waiting", status: "scanned" })
    const approved = run(started, { type: "status", challengeId: "c1", status: "scanned" }, { type: "status", challengeId: "c1", status: "approved" })
    expect(approved).toEqual({ phase: "signing-in", challenge })
    expect(reduceQrLogin(approved, { type: "exchanged" })).toEqual({ phase: "signed-in" })
  })

  it("only moves forward: a late pending after scanned changes nothing", () => {
    const scanned = run(started, { type: "status", challengeId: "c1", status: "scanned" })
    expect(reduceQrLogin(scanned, { type: "status", challengeId: "c1", status: "pending" })).toBe(scanned)
    expect(reduceQrLogin(scanned, { type: "status", challengeId: "c1", status: "scanned" })).toBe(scanned)
  })

  it("ignores the status of another challenge (one from before a restart)", () => {
    const waiting = run(started)
    expect(reduceQrLogin(waiting, { type: "status", challengeId: "old", status: "approved" })).toBe(waiting)
    expect(reduceQrLogin(waiting, { type: "deadline-passed", challengeId: "old" })).toBe(waiting)
  })

  it("takes a later deadline from a status update", () => {
    const scanned = run(started, { type: "status", challengeId: "c1", status: "scanned", expiresAt: 130_000 })
    expect(scanned).toMatchObject({ challenge: { expiresAt: 130_000 } })
  })

  it.each(["rejected", "expired", "consumed"] as const)("ends on %s, and a restart starts over", (status) => {
    const ended = run(started, { type: "status", challengeId: "c1", status })
    expect(ended).toEqual({ phase: "ended", outcome: status })
    expect(reduceQrLogin(ended, { type: "status", challengeId: "c1", status: "approved" })).toBe(ended)
    expect(reduceQrLogin(ended, { type: "restart" })).toEqual({ phase: "starting" })
  })

  it("ends as expired when the deadline passes without a word from the server", () => {
    expect(run(started, { type: "deadline-passed", challengeId: "c1" })).toEqual({ phase: "ended", outcome: "expired" })
  })

  it("does not let the deadline interrupt an exchange in flight", () => {
    const signingIn = run(started, { type: "status", challengeId: "c1", status: "approved" })
    expect(reduceQrLogin(signingIn, { type: "deadline-passed", challengeId: "c1" })).toBe(signingIn)
  })

  it("ends with the reason the exchange was refused for", () => {
    const signingIn = run(started, { type: "status", challengeId: "c1", status: "approved" })
    expect(reduceQrLogin(signingIn, { type: "exchange-refused", outcome: "consumed" })).toEqual({ phase: "ended", outcome: "consumed" })
  })

  it("fails when the challenge cannot be started, and records a fallback to polling", () => {
    const error = new TypeError("offline")
    expect(run({ type: "failed", error })).toEqual({ phase: "failed", error })
    expect(run(started, { type: "transport", challengeId: "c1", transport: "polling" })).toMatchObject({ transport: "polling" })
    // A failure reported while a code is shown (none is) would not hide it.
    const waiting = run(started)
    expect(reduceQrLogin(waiting, { type: "failed", error })).toBe(waiting)
  })
})
