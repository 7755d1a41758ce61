/**
 * Rules of DESIGN.md that no other test pinned down as a whole, each checked as a property over the
 * in-memory product: every measurement of a reading is range-checked at its inclusive bounds and
 * named when out of range; chat message ids sort like their sequence numbers whatever the clock
 * does; and a user's platform configs always have at most one current config, the one the rules
 * say (the first, or the last made current, or none after the current one is deleted).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Chat } from "../src/Chat/Chat.js"
import { ConfigId } from "../src/Platforms/Platform.js"
import { PlatformConfigs } from "../src/Platforms/PlatformConfigs.js"
import { MEASUREMENT_RANGES, ReadingInput } from "../src/Sensors/Reading.js"
import { UserId } from "../src/Users/User.js"
import { decodeInput } from "../src/Validation.js"
import { actor, body, cid, team, world } from "./Chat/fixtures.js"
import { actorOf, checkProperty } from "./Platforms/Fixtures.js"

const NOW = 1_800_000_000_000

/** The distinct paths a decode of `input` as a reading reports (a NaN may fail two checks), or "ok". */
const readingErrors = (input: unknown) =>
  Effect.match(decodeInput(ReadingInput)(input), {
    onFailure: (error) => [...new Set(error.errors.map((e) => e.path))].sort(),
    onSuccess: () => "ok" as const
  })

type Field = keyof typeof MEASUREMENT_RANGES

/** A value for one field: often at or just beyond a bound, sometimes anything a double can be. */
const valueFor = (field: Field) => {
  const { maximum, minimum } = MEASUREMENT_RANGES[field]
  return fc.oneof(
    fc.constantFrom(minimum, maximum, minimum - 0.001, maximum + 0.001, minimum - 1, maximum + 1, (minimum + maximum) / 2),
    fc.double({ min: minimum - 100, max: maximum + 100, noNaN: true }),
    fc.double()
  )
}

const inRange = (field: Field, value: number) =>
  Number.isFinite(value) && value >= MEASUREMENT_RANGES[field].minimum && value <= MEASUREMENT_RANGES[field].maximum

const fields = Object.keys(MEASUREMENT_RANGES) as Array<Field>

describe("DESIGN: a reading's measurements are each range-checked", () => {
  it.effect("any one measurement is accepted exactly within its inclusive range, else refused naming it", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...fields).chain((field) => fc.tuple(fc.constant(field), valueFor(field))),
          async ([field, value]) => {
            // x and y travel together: pair the one under test with a valid partner.
            const partner = field === "x" ? { y: 1 } : field === "y" ? { x: 1 } : {}
            const outcome = await Effect.runPromise(readingErrors({ ts: NOW, ...partner, [field]: value }))
            assert.deepStrictEqual(outcome, inRange(field, value) ? "ok" : [field])
          }
        ),
        { numRuns: 600 }
      )
    ))

  it.effect("a reading with several measurements names exactly the out-of-range ones", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.record({
            temperature: valueFor("temperature"),
            humidity: valueFor("humidity"),
            co2: valueFor("co2"),
            pm25: valueFor("pm25"),
            x: valueFor("x"),
            y: valueFor("y")
          }),
          async (values) => {
            const outcome = await Effect.runPromise(readingErrors({ ts: NOW, ...values }))
            const bad = fields.filter((field) => !inRange(field, values[field])).sort()
            assert.deepStrictEqual(outcome, bad.length === 0 ? "ok" : bad)
          }
        ),
        { numRuns: 300 }
      )
    ))

  it.effect("a position is x and y together; a reading without any measurement is refused", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* readingErrors({ ts: NOW, x: 5 }), ["y"])
      assert.deepStrictEqual(yield* readingErrors({ ts: NOW, y: 5 }), ["x"])
      assert.deepStrictEqual(yield* readingErrors({ ts: NOW, x: 5, y: 6 }), "ok")
      assert.notStrictEqual(yield* readingErrors({ ts: NOW }), "ok")
    }))
})

const senders = [actor("dr0"), actor("dr1"), actor("dr2")] as const

describe("DESIGN: a chat message gets a time-sortable id", () => {
  it.effect("ids are unique and sort like seqs, whatever the clock does between sends (also backwards)", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              sender: fc.integer({ min: 0, max: senders.length - 1 }),
              clock: fc.oneof(fc.constant(0), fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: 0, max: 3 }))
            }),
            { minLength: 1, maxLength: 40 }
          ),
          async (sends) => {
            const messages = await Effect.runPromise(
              Effect.gen(function*() {
                const chat = yield* Chat
                yield* TestClock.setTime(NOW)
                const teamId = yield* team(senders[0], ...senders.slice(1))
                const { roomId } = yield* chat.createRoom(senders[0], { teamId, name: "ids" })
                let now = NOW
                const out = []
                for (const [i, send] of sends.entries()) {
                  now += send.clock
                  yield* TestClock.setTime(now)
                  const sent = yield* chat.send(senders[send.sender]!, roomId, { body: body(`m${i}`), clientMessageId: cid(i) })
                  out.push(sent.message)
                }
                return out
              }).pipe(Effect.provide(Layer.mergeAll(world(), TestClock.layer())))
            )
            assert.deepStrictEqual(messages.map((m) => m.seq), messages.map((_, i) => i + 1))
            const byId = [...messages].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0))
            assert.deepStrictEqual(byId.map((m) => m.seq), messages.map((m) => m.seq))
            assert.strictEqual(new Set(messages.map((m) => m.messageId)).size, messages.length)
          }
        ),
        { numRuns: 100 }
      )
    ))
})

type ConfigOp =
  | { readonly _tag: "create"; readonly makeCurrent: boolean | undefined }
  | { readonly _tag: "update"; readonly pick: number; readonly makeCurrent: boolean | undefined }
  | { readonly _tag: "delete"; readonly pick: number }

const makeCurrentFlag = fc.constantFrom(true, false, undefined)
const configOp: fc.Arbitrary<ConfigOp> = fc.oneof(
  fc.record({ _tag: fc.constant("create" as const), makeCurrent: makeCurrentFlag }),
  fc.record({ _tag: fc.constant("update" as const), pick: fc.nat(), makeCurrent: makeCurrentFlag }),
  fc.record({ _tag: fc.constant("delete" as const), pick: fc.nat() })
)

describe("DESIGN: per user and platform, named configs with one current config", () => {
  it.effect("after any creates, updates and deletes the current config is the one the rules name, and exists", () =>
    checkProperty(fc.array(configOp, { maxLength: 30 }), (ops) =>
      Effect.gen(function*() {
        const configs = yield* PlatformConfigs
        const owner = actorOf("DRULES")
        const userId = UserId.make("DRULES")
        // The reference: which ids exist (with their versions) and which one is current.
        const live: Array<{ readonly configId: ConfigId; version: number }> = []
        let current: ConfigId | null = null
        for (const [i, op] of ops.entries()) {
          if (op._tag === "create") {
            const created = yield* configs.create(owner, userId, "naver", {
              name: `config ${i}`,
              settings: {},
              ...(op.makeCurrent === undefined ? {} : { makeCurrent: op.makeCurrent })
            }).pipe(Effect.result)
            if (created._tag === "Failure") {
              // Only the documented cap may refuse a create.
              assert.strictEqual(created.failure._tag === "Conflict" ? created.failure.code : created.failure._tag, "TooManyConfigs")
              continue
            }
            live.push({ configId: created.success.configId, version: created.success.version })
            if (op.makeCurrent === true || current === null) current = created.success.configId
          } else if (live.length > 0) {
            const target = live[op.pick % live.length]!
            if (op._tag === "update") {
              const updated = yield* configs.update(owner, userId, "naver", target.configId, {
                version: target.version,
                name: `renamed ${i}`,
                ...(op.makeCurrent === undefined ? {} : { makeCurrent: op.makeCurrent })
              })
              target.version = updated.version
              if (op.makeCurrent === true) current = target.configId
            } else {
              yield* configs.delete(owner, userId, "naver", target.configId)
              live.splice(live.indexOf(target), 1)
              if (current === target.configId) current = null
            }
          }
          const list = yield* configs.list(owner, userId, "naver")
          assert.deepStrictEqual(list.configs.map((c) => c.configId), live.map((c) => c.configId))
          assert.strictEqual(list.currentConfigId, current)
          if (list.currentConfigId !== null) {
            assert.include(list.configs.map((c) => c.configId), list.currentConfigId)
          }
        }
      })))
})
