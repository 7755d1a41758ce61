import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { ULID_PATTERN } from "../../src/Ids.js"
import { ConfigId, Platform } from "../../src/Platforms/Platform.js"
import {
  CreateConfigInput,
  MAX_CONFIGS_PER_PLATFORM,
  type PlatformConfig,
  UpdateConfigInput
} from "../../src/Platforms/PlatformConfig.js"
import { PlatformConfigs } from "../../src/Platforms/PlatformConfigs.js"
import { decodeInput } from "../../src/Validation.js"
import { actorOf, checkProperty, PlatformsTestLayer, T0 } from "./Fixtures.js"

const ada = actorOf("ada")
const bob = actorOf("bob")

const failureOf = <A, E extends { readonly _tag: string }>(exit: Exit.Exit<A, E>) =>
  Option.getOrUndefined(Exit.findErrorOption(exit)) as (E & { readonly code?: string }) | undefined

describe("PlatformConfigs", () => {
  it.effect("create mints a ULID, version 1, the clock's time; the first config is current", () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      yield* TestClock.setTime(T0)
      const first = yield* configs.create(ada, ada.userId, "google", { name: "Main", settings: { budget: 100 } })
      assert.match(first.configId, ULID_PATTERN)
      assert.strictEqual(first.version, 1)
      assert.strictEqual(first.updatedAt, T0)
      assert.deepStrictEqual(first.settings, { budget: 100 })
      const second = yield* configs.create(ada, ada.userId, "google", { name: "Alt", settings: {} })
      let list = yield* configs.list(ada, ada.userId, "google")
      assert.strictEqual(list.currentConfigId, first.configId)
      assert.deepStrictEqual(list.configs.map((c) => c.configId), [first.configId, second.configId])
      const third = yield* configs.create(ada, ada.userId, "google", { name: "New", settings: {}, makeCurrent: true })
      list = yield* configs.list(ada, ada.userId, "google")
      assert.strictEqual(list.currentConfigId, third.configId)
      assert.deepStrictEqual((yield* configs.list(ada, ada.userId, "meta")).configs, [])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("update needs the current version: a stale one is 409 VersionConflict, nothing is lost", () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      yield* TestClock.setTime(T0)
      const created = yield* configs.create(ada, ada.userId, "naver", { name: "Main", settings: { a: 1 } })
      yield* TestClock.adjust(1000)
      const v2 = yield* configs.update(ada, ada.userId, "naver", created.configId, { settings: { a: 2 }, version: 1 })
      assert.strictEqual(v2.version, 2)
      assert.strictEqual(v2.updatedAt, T0 + 1000)
      assert.strictEqual(v2.name, "Main")
      const stale = yield* configs.update(ada, ada.userId, "naver", created.configId, { name: "Lost", version: 1 })
        .pipe(Effect.flip)
      assert.strictEqual(stale._tag, "Conflict")
      assert.strictEqual(stale._tag === "Conflict" ? stale.code : "", "VersionConflict")
      const list = yield* configs.list(ada, ada.userId, "naver")
      assert.deepStrictEqual(list.configs[0]!.settings, { a: 2 })
      assert.strictEqual(list.configs[0]!.name, "Main")
      const missing = yield* configs.update(ada, ada.userId, "naver", ConfigId.make("nope"), { version: 1 }).pipe(Effect.flip)
      assert.strictEqual(missing._tag, "NotFound")
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("delete answers nothing, clears the current config, and is NotFound the second time", () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      const a = yield* configs.create(ada, ada.userId, "kakao", { name: "A", settings: {} })
      yield* configs.delete(ada, ada.userId, "kakao", a.configId)
      assert.strictEqual((yield* configs.list(ada, ada.userId, "kakao")).currentConfigId, null)
      const again = yield* configs.delete(ada, ada.userId, "kakao", a.configId).pipe(Effect.flip)
      assert.strictEqual(again._tag, "NotFound")
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect(`at most ${MAX_CONFIGS_PER_PLATFORM} configs per platform: then 409 TooManyConfigs`, () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      for (let i = 0; i < MAX_CONFIGS_PER_PLATFORM; i++) {
        yield* configs.create(ada, ada.userId, "tiktok", { name: `c${i}`, settings: {} })
      }
      const error = yield* configs.create(ada, ada.userId, "tiktok", { name: "one more", settings: {} }).pipe(Effect.flip)
      assert.strictEqual(error._tag === "Conflict" ? error.code : error._tag, "TooManyConfigs")
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("every route refuses another user's path with 403, touching nothing", () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      const mine = yield* configs.create(ada, ada.userId, "meta", { name: "Mine", settings: {} })
      const attempts = [
        configs.list(bob, ada.userId, "meta"),
        configs.create(bob, ada.userId, "meta", { name: "x", settings: {} }),
        configs.update(bob, ada.userId, "meta", mine.configId, { name: "x", version: 1 }),
        configs.delete(bob, ada.userId, "meta", mine.configId)
      ]
      for (const attempt of attempts) {
        const error = yield* Effect.flip(attempt as Effect.Effect<unknown, { _tag: string }>)
        assert.strictEqual(error._tag, "Forbidden")
      }
      const list = yield* configs.list(ada, ada.userId, "meta")
      assert.strictEqual(list.configs.length, 1)
      assert.strictEqual(list.configs[0]!.version, 1)
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("inputs decode with every failing field named; an unknown platform is a ValidationError", () =>
    Effect.gen(function*() {
      const bad = yield* decodeInput(CreateConfigInput)({ name: "  ", settings: [1], makeCurrent: "yes" }).pipe(Effect.flip)
      assert.deepStrictEqual(bad.errors.map((e) => e.path).sort(), ["makeCurrent", "name", "settings"])
      const noVersion = yield* decodeInput(UpdateConfigInput)({ name: "x" }).pipe(Effect.flip)
      assert.deepStrictEqual(noVersion.errors.map((e) => e.path), ["version"])
      const zero = yield* decodeInput(UpdateConfigInput)({ version: 0 }).pipe(Effect.flip)
      assert.deepStrictEqual(zero.errors.map((e) => e.path), ["version"])
      const platform = yield* decodeInput(Platform, "platform")("myspace").pipe(Effect.flip)
      assert.deepStrictEqual(platform.errors.map((e) => e.path), ["platform"])
      for (const p of ["google", "meta", "naver", "kakao", "tiktok"]) assert.strictEqual(Schema.is(Platform)(p), true)
      const huge = yield* decodeInput(CreateConfigInput)({ name: "x", settings: { blob: "x".repeat(20_000) } }).pipe(Effect.flip)
      assert.deepStrictEqual(huge.errors.map((e) => e.path), ["settings"])
      let deep: Record<string, unknown> = {}
      for (let i = 0; i < 30; i++) deep = { d: deep }
      const tooDeep = yield* decodeInput(CreateConfigInput)({ name: "x", settings: deep }).pipe(Effect.flip)
      assert.deepStrictEqual(tooDeep.errors.map((e) => e.path), ["settings"])
      const ok = yield* decodeInput(CreateConfigInput)({ name: "  Trimmed ", settings: { a: [1, { b: null }] } })
      assert.strictEqual(ok.name, "Trimmed")
    }))

  /**
   * Model check: any interleaving of updates carrying random (often stale) versions, with creates
   * and deletes, behaves like a list of versioned cells. An update wins exactly when its version is
   * the stored one, and then its content is what is stored: no update is ever lost silently.
   */
  it.effect("random updates with possibly stale versions never lose an update silently", () =>
    checkProperty(
      fc.array(
        fc.oneof(
          { weight: 1, arbitrary: fc.record({ op: fc.constant("create" as const), makeCurrent: fc.boolean() }) },
          {
            weight: 5,
            arbitrary: fc.record({
              op: fc.constant("update" as const),
              slot: fc.nat(3),
              version: fc.integer({ min: 1, max: 6 }),
              value: fc.nat(1000),
              makeCurrent: fc.boolean()
            })
          },
          { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), slot: fc.nat(3) }) }
        ),
        { maxLength: 40 }
      ),
      (ops) =>
        Effect.gen(function*() {
          const configs = yield* PlatformConfigs
          const actor = actorOf("modeluser")
          const user = actor.userId
          /** The model: each created config's id, version and value; undefined once deleted. */
          const model: Array<{ id: ConfigId; version: number; value: number } | undefined> = []
          let current: ConfigId | null = null
          for (const op of ops) {
            yield* TestClock.adjust(1)
            if (op.op === "create") {
              if (model.filter((c) => c !== undefined).length >= MAX_CONFIGS_PER_PLATFORM) continue
              const created: PlatformConfig = yield* configs.create(actor, user, "google", {
                name: "cell",
                settings: { value: -1 },
                makeCurrent: op.makeCurrent
              })
              model.push({ id: created.configId, version: 1, value: -1 })
              if (op.makeCurrent || current === null) current = created.configId
              continue
            }
            const cell = model[op.slot]
            const id = cell?.id ?? ConfigId.make(`missing-${op.slot}`)
            if (op.op === "delete") {
              const exit = yield* Effect.exit(configs.delete(actor, user, "google", id))
              if (cell === undefined) assert.strictEqual(failureOf(exit)?._tag, "NotFound")
              else {
                assert.isTrue(Exit.isSuccess(exit))
                model[op.slot] = undefined
                if (current === cell.id) current = null
              }
              continue
            }
            const exit = yield* Effect.exit(
              configs.update(actor, user, "google", id, {
                settings: { value: op.value },
                version: op.version,
                makeCurrent: op.makeCurrent
              })
            )
            if (cell === undefined) {
              assert.strictEqual(failureOf(exit)?._tag, "NotFound")
            } else if (cell.version === op.version) {
              assert.isTrue(Exit.isSuccess(exit), "an update with the stored version must win")
              if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.version, op.version + 1)
              cell.version = op.version + 1
              cell.value = op.value
              if (op.makeCurrent) current = cell.id
            } else {
              assert.strictEqual(failureOf(exit)?.code, "VersionConflict", "a stale update must be refused")
            }
          }
          const list = yield* configs.list(actor, user, "google")
          const live = model.filter((c) => c !== undefined)
          assert.deepStrictEqual(
            list.configs.map((c) => ({ id: c.configId, version: c.version, value: c.settings["value"] })),
            live.map((c) => ({ id: c.id, version: c.version, value: c.value }))
          )
          assert.strictEqual(list.currentConfigId, current)
        }),
      100
    ))
})
