import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { isLegalQrTransition, isQrStatusAfter, isQrTerminal, qrTransitions, QrStatus } from "../../src/QrLogin/QrChallenge.js"
import { QrExchangeInput, QrScanInput } from "../../src/QrLogin/QrLogin.js"
import { decodeInput } from "../../src/Validation.js"

const statuses = QrStatus.literals
const status = fc.constantFrom(...statuses)

describe("QR challenge lifecycle", () => {
  it("the table is the one of 003", () => {
    assert.deepStrictEqual(
      statuses.flatMap((from) => qrTransitions[from].map((to) => `${from}>${to}`)).sort(),
      [
        "approved>consumed",
        "approved>expired",
        "pending>expired",
        "pending>scanned",
        "scanned>approved",
        "scanned>expired",
        "scanned>rejected"
      ]
    )
    assert.deepStrictEqual(statuses.filter(isQrTerminal), ["consumed", "rejected", "expired"])
  })

  it("'after' is a strict order: no status is ever visited twice, so a CAS on status has no ABA", () => {
    fc.assert(
      fc.property(status, status, status, (a, b, c) => {
        assert.isFalse(isQrStatusAfter(a, a))
        if (isQrStatusAfter(a, b)) assert.isFalse(isQrStatusAfter(b, a))
        if (isQrStatusAfter(a, b) && isQrStatusAfter(b, c)) assert.isTrue(isQrStatusAfter(a, c))
        if (isLegalQrTransition(a, b)) assert.isTrue(isQrStatusAfter(a, b))
      }),
      { numRuns: 300 }
    )
  })

  it("every status is reachable from pending and every live one can still expire", () => {
    for (const s of statuses) {
      if (s !== "pending") assert.isTrue(isQrStatusAfter("pending", s), s)
      if (!isQrTerminal(s)) assert.isTrue(isLegalQrTransition(s, "expired"), s)
    }
  })

  it.effect("inputs name each bad field", () =>
    Effect.gen(function*() {
      const scan = yield* decodeInput(QrScanInput)({ challengeId: "short", scanKey: "" }).pipe(Effect.flip)
      assert.deepStrictEqual(scan.errors.map((e) => e.path).sort(), ["challengeId", "scanKey"])
      const exchange = yield* decodeInput(QrExchangeInput)({ challengeId: "AAAAAAAAAAAAAAAAAAAAAA" }).pipe(Effect.flip)
      assert.deepStrictEqual(exchange.errors.map((e) => e.path), ["pollSecret"])
      const ok = yield* decodeInput(QrExchangeInput)({ challengeId: "AAAAAAAAAAAAAAAAAAAA-_", pollSecret: "s" })
      assert.strictEqual(ok.challengeId, "AAAAAAAAAAAAAAAAAAAA-_")
    }))
})
