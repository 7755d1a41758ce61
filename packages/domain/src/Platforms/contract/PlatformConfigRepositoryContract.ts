/**
 * The behaviour every PlatformConfigRepository must show, run unchanged against the in-memory
 * adapter, Postgres and DynamoDB: configs per user and platform, the first config becoming
 * current, the config limit, delete clearing the current id, and the version compare-and-set —
 * also under real concurrency (two updates with one expected version: exactly one wins). Every id
 * is built from a fresh scope, so the store may be shared and non-empty.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import type { UserId } from "../../Users/User.js"
import * as PlatformConfigRepositoryMemory from "../memory/PlatformConfigRepositoryMemory.js"
import type { ConfigSettings, Platform } from "../Platform.js"
import { PlatformConfig } from "../PlatformConfig.js"
import { type ConfigPatch, PlatformConfigRepository } from "../PlatformConfigRepository.js"
import { command, configId, plainConfig, plainList, T0, userId } from "./ContractIds.js"

type Port = PlatformConfigRepository["Service"]

const makeConfig = (scope: string, label: string | number, settings: ConfigSettings = { label: String(label) }) =>
  new PlatformConfig({
    configId: configId(scope, label),
    name: `config ${label}`,
    settings,
    version: 1,
    createdAt: T0,
    updatedAt: T0
  })

const options = (makeCurrent = false, maxConfigs = 20) => ({ makeCurrent, maxConfigs })

const errorOf = <A, E>(exit: Exit.Exit<A, E>): { readonly _tag?: string; readonly code?: string } | undefined =>
  Option.getOrUndefined(Exit.findErrorOption(exit)) as { readonly _tag?: string; readonly code?: string } | undefined

// ---------------------------------------------------------------------------------------------
// Model run

const USERS = 2
const PLATFORMS: ReadonlyArray<Platform> = ["google", "kakao"]
const CONFIGS = 4
const MAX = 3

const target = fc.record({ user: fc.nat(USERS - 1), platform: fc.constantFrom(...PLATFORMS), config: fc.nat(CONFIGS - 1) })

const settingsArb: fc.Arbitrary<ConfigSettings> = fc.oneof(
  fc.constant({}),
  fc.record({ budget: fc.integer({ min: 0, max: 1000 }), region: fc.constantFrom("kr", "us") }),
  fc.record({ nested: fc.record({ a: fc.boolean(), b: fc.array(fc.nat(9), { maxLength: 3 }) }) })
)

const createCommand = fc
  .record({ t: target, makeCurrent: fc.boolean(), settings: settingsArb })
  .map(({ makeCurrent, settings, t }) =>
    command<Port>(`create(${JSON.stringify(t)}, makeCurrent ${makeCurrent}, ${JSON.stringify(settings)})`, (m, real) => {
      const user = userId(m.scope, t.user)
      const config = makeConfig(m.scope, t.config, settings)
      return agree(
        m.port.create(user, t.platform, config, options(makeCurrent, MAX)),
        real.create(user, t.platform, config, options(makeCurrent, MAX)),
        plainConfig
      )
    })
  )

const patchArb: fc.Arbitrary<ConfigPatch> = fc.record(
  { name: fc.constantFrom("renamed", "other name"), settings: settingsArb, makeCurrent: fc.boolean() },
  { requiredKeys: [] }
)

const updateCommand = fc
  .record({ t: target, patch: patchArb, version: fc.integer({ min: 1, max: 4 }), tick: fc.nat(1000) })
  .map(({ patch, t, tick, version }) =>
    command<Port>(`update(${JSON.stringify(t)}, ${JSON.stringify(patch)}, version ${version})`, (m, real) => {
      const user = userId(m.scope, t.user)
      const id = configId(m.scope, t.config)
      return agree(
        m.port.update(user, t.platform, id, patch, version, T0 + tick),
        real.update(user, t.platform, id, patch, version, T0 + tick),
        plainConfig
      )
    })
  )

const deleteCommand = target.map((t) =>
  command<Port>(`delete(${JSON.stringify(t)})`, (m, real) => {
    const user = userId(m.scope, t.user)
    const id = configId(m.scope, t.config)
    return agree(m.port.delete(user, t.platform, id), real.delete(user, t.platform, id))
  })
)

const listCommand = fc
  .record({ user: fc.nat(USERS - 1), platform: fc.constantFrom(...PLATFORMS) })
  .map(({ platform, user }) =>
    command<Port>(`list(${user}, ${platform})`, (m, real) => {
      const u = userId(m.scope, user)
      return agree(m.port.list(u, platform), real.list(u, platform), plainList)
    })
  )

export const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [
  createCommand,
  createCommand,
  updateCommand,
  updateCommand,
  updateCommand,
  deleteCommand,
  listCommand,
  listCommand
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, repositoryLayer: Layer.Layer<PlatformConfigRepository, unknown>) =>
  layer(repositoryLayer)(`PlatformConfigRepository contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* PlatformConfigRepository
        yield* modelRun({ real, makeModel: PlatformConfigRepositoryMemory.make, commands, numRuns: 40, maxCommands: 40 })
      }), 60_000)

    it.effect("an unknown user and platform has no configs and no current config", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const list = yield* repo.list(userId(freshScope("cfgempty"), 1), "google")
        assert.deepStrictEqual(plainList(list), { configs: [], currentConfigId: null })
      }))

    it.effect("the first config becomes current; later ones only when asked; list is oldest first", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgfirst")
        const user = userId(scope, 1)
        const a = new PlatformConfig({ ...makeConfig(scope, "a"), createdAt: T0, updatedAt: T0 })
        const b = new PlatformConfig({ ...makeConfig(scope, "b"), createdAt: T0 + 1, updatedAt: T0 + 1 })
        const c = new PlatformConfig({ ...makeConfig(scope, "c"), createdAt: T0 + 2, updatedAt: T0 + 2 })
        assert.deepStrictEqual(plainConfig(yield* repo.create(user, "meta", a, options(false))), plainConfig(a))
        assert.strictEqual((yield* repo.list(user, "meta")).currentConfigId, a.configId)
        yield* repo.create(user, "meta", b, options(false))
        assert.strictEqual((yield* repo.list(user, "meta")).currentConfigId, a.configId)
        yield* repo.create(user, "meta", c, options(true))
        const list = yield* repo.list(user, "meta")
        assert.strictEqual(list.currentConfigId, c.configId)
        assert.deepStrictEqual(list.configs.map(plainConfig), [a, b, c].map(plainConfig))
      }))

    it.effect("a taken configId is Conflict ConfigExists and keeps the stored config", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgdup")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a")
        yield* repo.create(user, "google", a, options())
        const error = yield* repo.create(user, "google", new PlatformConfig({ ...a, name: "other" }), options(true))
          .pipe(Effect.flip)
        assert.strictEqual(error._tag, "Conflict")
        assert.strictEqual(error._tag === "Conflict" ? error.code : "", "ConfigExists")
        assert.deepStrictEqual((yield* repo.list(user, "google")).configs.map(plainConfig), [plainConfig(a)])
      }))

    it.effect("configs are per user and platform", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgiso")
        const a = makeConfig(scope, "a")
        yield* repo.create(userId(scope, 1), "google", a, options())
        assert.deepStrictEqual((yield* repo.list(userId(scope, 2), "google")).configs, [])
        assert.deepStrictEqual((yield* repo.list(userId(scope, 1), "naver")).configs, [])
        const missing = yield* repo.update(userId(scope, 2), "google", a.configId, { name: "x" }, 1, T0).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
        const notHere = yield* repo.delete(userId(scope, 1), "naver", a.configId).pipe(Effect.flip)
        assert.strictEqual(notHere._tag, "NotFound")
        assert.strictEqual((yield* repo.list(userId(scope, 1), "google")).configs.length, 1)
      }))

    it.effect("at the limit, create is Conflict TooManyConfigs and stores nothing", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfglimit")
        const user = userId(scope, 1)
        yield* repo.create(user, "tiktok", makeConfig(scope, 1), options(false, 2))
        yield* repo.create(user, "tiktok", makeConfig(scope, 2), options(false, 2))
        const error = yield* repo.create(user, "tiktok", makeConfig(scope, 3), options(true, 2)).pipe(Effect.flip)
        assert.strictEqual(error._tag === "Conflict" ? error.code : error._tag, "TooManyConfigs")
        const list = yield* repo.list(user, "tiktok")
        assert.deepStrictEqual(list.configs.map((c) => c.configId).sort(), [configId(scope, 1), configId(scope, 2)].sort())
        assert.strictEqual(list.currentConfigId, configId(scope, 1))
      }))

    it.effect("update with the stored version applies the patch and increments the version by one", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgupdate")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a", { budget: 1 })
        yield* repo.create(user, "naver", a, options())
        const renamed = yield* repo.update(user, "naver", a.configId, { name: "renamed" }, 1, T0 + 10)
        assert.deepStrictEqual(plainConfig(renamed), { ...plainConfig(a), name: "renamed", version: 2, updatedAt: T0 + 10 })
        const resettled = yield* repo.update(user, "naver", a.configId, { settings: { budget: 2, nested: { x: [1] } } }, 2, T0 + 20)
        assert.deepStrictEqual(plainConfig(resettled), {
          ...plainConfig(a),
          name: "renamed",
          settings: { budget: 2, nested: { x: [1] } },
          version: 3,
          updatedAt: T0 + 20
        })
        const touched = yield* repo.update(user, "naver", a.configId, {}, 3, T0 + 30)
        assert.strictEqual(touched.version, 4)
        assert.deepStrictEqual(
          (yield* repo.list(user, "naver")).configs.map(plainConfig),
          [plainConfig(touched)]
        )
      }))

    it.effect("update with a stale version is Conflict VersionConflict and changes nothing", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgstale")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a")
        const b = makeConfig(scope, "b")
        yield* repo.create(user, "meta", a, options())
        yield* repo.create(user, "meta", b, options())
        const current = yield* repo.update(user, "meta", b.configId, { name: "v2" }, 1, T0 + 1)
        for (const stale of [1, 3, 7]) {
          const error = yield* repo.update(user, "meta", b.configId, { name: "lost", makeCurrent: true }, stale, T0 + 2)
            .pipe(Effect.flip)
          assert.strictEqual(error._tag === "Conflict" ? error.code : error._tag, "VersionConflict")
        }
        const list = yield* repo.list(user, "meta")
        assert.deepStrictEqual(list.configs.map(plainConfig), [plainConfig(a), plainConfig(current)])
        assert.strictEqual(list.currentConfigId, a.configId)
        const missing = yield* repo.update(user, "meta", configId(scope, "none"), {}, 1, T0).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
      }))

    it.effect("update with makeCurrent makes the config current; false leaves the current one", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgcurrent")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a")
        const b = makeConfig(scope, "b")
        yield* repo.create(user, "kakao", a, options())
        yield* repo.create(user, "kakao", b, options())
        yield* repo.update(user, "kakao", b.configId, { makeCurrent: false }, 1, T0)
        assert.strictEqual((yield* repo.list(user, "kakao")).currentConfigId, a.configId)
        yield* repo.update(user, "kakao", b.configId, { makeCurrent: true }, 2, T0)
        assert.strictEqual((yield* repo.list(user, "kakao")).currentConfigId, b.configId)
      }))

    it.effect("delete removes the config, clears the current id if it was current; the next create becomes current", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgdelete")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a")
        const b = makeConfig(scope, "b")
        yield* repo.create(user, "google", a, options())
        yield* repo.create(user, "google", b, options())
        yield* repo.delete(user, "google", b.configId)
        assert.strictEqual((yield* repo.list(user, "google")).currentConfigId, a.configId)
        yield* repo.delete(user, "google", a.configId)
        assert.deepStrictEqual(plainList(yield* repo.list(user, "google")), { configs: [], currentConfigId: null })
        const again = yield* repo.delete(user, "google", a.configId).pipe(Effect.flip)
        assert.strictEqual(again._tag, "NotFound")
        const c = makeConfig(scope, "c")
        yield* repo.create(user, "google", c, options(false))
        assert.strictEqual((yield* repo.list(user, "google")).currentConfigId, c.configId)
      }))

    it.effect("two concurrent updates with the same expected version: exactly one wins", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        for (let round = 0; round < 10; round++) {
          const scope = freshScope("cfgrace")
          const user = userId(scope, 1)
          const a = makeConfig(scope, "a")
          yield* repo.create(user, "google", a, options())
          const exits = yield* Effect.all(
            ["left", "right"].map((name) => Effect.exit(repo.update(user, "google", a.configId, { name }, 1, T0 + 1))),
            { concurrency: "unbounded" }
          )
          const winners = exits.filter(Exit.isSuccess)
          assert.strictEqual(winners.length, 1)
          const loser = errorOf(exits.find(Exit.isFailure)!)
          assert.strictEqual(loser?.code, "VersionConflict")
          const stored = (yield* repo.list(user, "google")).configs
          assert.deepStrictEqual(stored.map(plainConfig), [plainConfig(winners[0]!.value)])
          assert.strictEqual(stored[0]!.version, 2)
        }
      }))

    it.effect("concurrent updates, each with a version it read: versions advance one by one, none lost", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgrace2")
        const user = userId(scope, 1)
        const a = makeConfig(scope, "a", { n: 0 })
        yield* repo.create(user, "meta", a, options())
        const exits = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) =>
            Effect.exit(repo.update(user, "meta", a.configId, { settings: { n: i + 1 } }, 1 + (i % 3), T0 + i))),
          { concurrency: "unbounded" }
        )
        const won = exits.filter(Exit.isSuccess).map((e) => e.value)
        for (const exit of exits) if (Exit.isFailure(exit)) assert.strictEqual(errorOf(exit)?.code, "VersionConflict")
        // Each version was won at most once, and the stored version counts exactly the wins.
        assert.strictEqual(new Set(won.map((c) => c.version)).size, won.length)
        const stored = (yield* repo.list(user, "meta")).configs[0]!
        assert.strictEqual(stored.version, 1 + won.length)
        assert.deepStrictEqual(plainConfig(stored), plainConfig(won.find((c) => c.version === stored.version)!))
      }))

    it.effect("concurrent creates respect the limit and leave exactly one current config", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const scope = freshScope("cfgrace3")
        const user: UserId = userId(scope, 1)
        const exits = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => Effect.exit(repo.create(user, "naver", makeConfig(scope, i), options(false, 3)))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 3)
        for (const exit of exits) if (Exit.isFailure(exit)) assert.strictEqual(errorOf(exit)?.code, "TooManyConfigs")
        const list = yield* repo.list(user, "naver")
        assert.strictEqual(list.configs.length, 3)
        assert.isTrue(list.configs.some((c) => c.configId === list.currentConfigId))
      }))
  })
