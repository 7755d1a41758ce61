/**
 * packages/domain is published to npm. This packs it exactly as `npm publish` would, installs the
 * tarball into an empty project (offline: nothing is downloaded), and runs a use case over the
 * in-memory layer there from plain ESM JavaScript and from TypeScript.
 *
 * The consumer installs with `npm ci --offline` from a lockfile whose dependency entries (version,
 * resolved, integrity) are copied from the workspace's own lockfile: npm then takes the tarballs
 * from its content-addressed cache by integrity and never needs registry metadata, whose cached
 * copy depends on which npm commands ran last on the machine.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = join(import.meta.dirname, "..")
const workspaceBin = join(packageDir, "..", "..", "node_modules", ".bin")
const run = (cmd: string, args: Array<string>, cwd: string): string => {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${workspaceBin}:${process.env["PATH"]}`, npm_config_loglevel: "error" }
    })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`)
  }
}

const scenario = `
  const program = Effect.gen(function* () {
    const auth = yield* Auth
    const teams = yield* Teams
    const input = yield* decodeInput(SignupInput)({ email: "  Owner@Example.com ", password: "Sup3rSecret!", name: "Owner" })
    const { user } = yield* auth.signup(input)
    const actor = new Actor({ userId: user.userId, email: user.email })
    const team = yield* teams.create(actor, { name: "Growth" })
    const mine = yield* teams.listMine(actor, user.userId)
    return { email: user.email, role: team.role, teams: mine.length }
  })
  const layer = Layer.mergeAll(Auth.layer, Teams.layer).pipe(
    Layer.provideMerge(InProcess.layerTest)
  )
`

describe("the published domain package", () => {
  let work: string
  let consumer: string

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "domain-pack-"))
    run("npm", ["pack", "--pack-destination", work], packageDir)
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!
    consumer = join(work, "consumer")
    mkdirSync(consumer)
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      version: string
      dependencies: Record<string, string>
      peerDependencies?: Record<string, string>
      peerDependenciesMeta?: Record<string, { optional?: boolean }>
    }
    const workspaceLock = JSON.parse(readFileSync(join(packageDir, "..", "..", "package-lock.json"), "utf8")) as {
      packages: Record<string, { version: string; resolved?: string; integrity?: string; dependencies?: Record<string, string> }>
    }
    const spec = `file:../${tarball}`
    const packages: Record<string, unknown> = {
      "": { name: "consumer", dependencies: { "@app/domain": spec } },
      "node_modules/@app/domain": {
        version: manifest.version,
        resolved: spec,
        dependencies: manifest.dependencies,
        ...(manifest.peerDependencies === undefined ? {} : { peerDependencies: manifest.peerDependencies }),
        ...(manifest.peerDependenciesMeta === undefined ? {} : { peerDependenciesMeta: manifest.peerDependenciesMeta })
      }
    }
    const pending = Object.keys(manifest.dependencies)
    while (pending.length > 0) {
      const name = pending.pop()!
      if (`node_modules/${name}` in packages) continue
      const entry = workspaceLock.packages[`node_modules/${name}`]
      if (entry === undefined) throw new Error(`${name} is not in the workspace lockfile`)
      packages[`node_modules/${name}`] = entry
      pending.push(...Object.keys(entry.dependencies ?? {}))
    }
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "@app/domain": spec } })
    )
    writeFileSync(join(consumer, "package-lock.json"), JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }))
    run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], consumer)
  }, 120_000)

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it("ships only built files and declarations", () => {
    const listing = run("tar", ["-tzf", join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!)], work)
    expect(listing).toContain("package/dist/index.js")
    expect(listing).toContain("package/dist/index.d.ts")
    expect(listing).toContain("package/dist/memory.js")
    expect(listing).not.toMatch(/package\/src\//)
    expect(listing).not.toMatch(/package\/test\//)
    expect(listing).not.toMatch(/tsbuildinfo/)
  })

  it("runs a use case from plain ESM JavaScript", () => {
    writeFileSync(join(consumer, "main.mjs"), `
      import { Effect, Layer } from "effect"
      import { Actor, Auth, decodeInput, SignupInput, Teams } from "@app/domain"
      import { InProcess } from "@app/domain/node"
      ${scenario}
      console.log(JSON.stringify(await Effect.runPromise(program.pipe(Effect.provide(layer)))))
    `)
    const out = JSON.parse(run(process.execPath, ["main.mjs"], consumer))
    expect(out).toEqual({ email: "owner@example.com", role: "owner", teams: 1 })
  }, 60_000)

  it("type-checks and runs from TypeScript", () => {
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2023", module: "NodeNext", moduleResolution: "NodeNext", strict: true, exactOptionalPropertyTypes: true, skipLibCheck: true, outDir: "out", types: [] },
      include: ["main.ts"]
    }))
    writeFileSync(join(consumer, "main.ts"), `
      import { Effect, Layer } from "effect"
      import { Actor, Auth, decodeInput, SignupInput, Teams, type TeamId } from "@app/domain"
      import { InProcess } from "@app/domain/node"
      ${scenario}
      const result: { email: string; role: string; teams: number } = await Effect.runPromise(program.pipe(Effect.provide(layer)))
      const _typed: TeamId | undefined = undefined
      console.log(JSON.stringify(result))
    `)
    run("tsc", ["-p", "tsconfig.json"], consumer)
    const out = JSON.parse(run(process.execPath, ["out/main.js"], consumer))
    expect(out).toEqual({ email: "owner@example.com", role: "owner", teams: 1 })
  }, 120_000)
})
