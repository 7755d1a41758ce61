#!/usr/bin/env node
/**
 * Size and cold-import time of every function bundle, next to a baseline bundle that only
 * constructs the AWS SDK's DynamoDB client (DynamoDbBaseline.mjs), all built in this run with the
 * same esbuild options (FunctionBundles.mjs). Goal (issue 6): each bundle at most 1.5× the
 * baseline, and under 1 MB minified. A second reference row, the floor (EffectFloor.ts), is that
 * client inside the least an Effect program needs (a ManagedRuntime, a Layer, a Schema): the
 * ratio no function written with Effect can go below. Not a test: nothing here asserts on time.
 *
 *   npm run bench -w @app/lambda          (BENCH_RUNS=15 by default)
 *
 * Cold import: for each sample a fresh `node` process imports the bundle and reports the time from
 * just before the `import()` until the module has evaluated (reading, parsing, linking and running
 * its top level; Node's own start-up is not counted, it is the same for every bundle). Samples are
 * interleaved (run 1 of every bundle, then run 2, …) so a noisy moment of this shared machine
 * hits all bundles alike; the median is reported. Each import runs twice over: without flags, as
 * the template deploys the functions, and with --enable-source-maps, the cost of readable stack
 * traces (why the template does not set it).
 *
 * A bundle over the goal is explained from its metafile: the packages it adds over the baseline,
 * by minified bytes, and through which import chain the entry pulls the heaviest in.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { gzipSync } from "node:zlib"
import { bundleEntries, bundleFunctions, functionNames, functionsOutDir, importEnvironment, projectDir } from "../scripts/FunctionBundles.mjs"

const RUNS = Number(process.env["BENCH_RUNS"] ?? 15)
const GOAL_RATIO = 1.5
const MAX_BYTES = 1_000_000
const run = promisify(execFile)

/** @typedef {{ name: string; file: string; metafile: import("esbuild").Metafile }} Bundle */

console.log(`bench: bundling ${functionNames.length} functions and the baseline …`)
const functionMetafiles = await bundleFunctions()
const benchDir = join(projectDir, "dist", "bench")
const references = await bundleEntries({
  entries: {
    "baseline/index": join(projectDir, "bench", "DynamoDbBaseline.mjs"),
    "floor/index": join(projectDir, "bench", "EffectFloor.ts")
  },
  outDir: benchDir
})
/** @type {Bundle} */
const baseline = {
  name: "baseline (DynamoDB client)",
  file: join(benchDir, "baseline", "index.mjs"),
  metafile: /** @type {import("esbuild").Metafile} */ (references.get("baseline/index"))
}
/** @type {Bundle} */
const floor = {
  name: "floor (+ Effect, Schema)",
  file: join(benchDir, "floor", "index.mjs"),
  metafile: /** @type {import("esbuild").Metafile} */ (references.get("floor/index"))
}
/** @type {Array<Bundle>} */
const bundles = functionNames.map((name) => ({
  name,
  file: join(functionsOutDir, name, "index.mjs"),
  metafile: /** @type {import("esbuild").Metafile} */ (functionMetafiles.get(name))
}))
const everything = [baseline, floor, ...bundles]

// ---- sizes
/** @param {string} file */
const sizes = (file) => {
  const bytes = readFileSync(file)
  return { raw: bytes.length, gzip: gzipSync(bytes).length }
}
const sized = new Map(everything.map((bundle) => [bundle.name, sizes(bundle.file)]))

// ---- cold imports
/**
 * Milliseconds from `import()` to the evaluated module, in a fresh process.
 * @param {string} file @param {ReadonlyArray<string>} flags
 */
const coldImport = async (file, flags) => {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    `const ms = performance.now() - t; if (typeof m.handler !== "function") process.exit(3); process.stdout.write(String(ms))`
  const { stdout } = await run(process.execPath, [...flags, "--input-type=module", "-e", script], {
    env: { PATH: process.env["PATH"] ?? "", ...importEnvironment() },
    timeout: 60_000
  })
  return Number(stdout)
}

const modes = /** @type {const} */ ([
  { key: "plain", flags: [] },
  { key: "maps", flags: ["--enable-source-maps"] }
])
/** @type {Map<string, Array<number>>} */
const samples = new Map()
console.log(`bench: ${RUNS} cold imports of each of ${everything.length} bundles, ${modes.length} ways, interleaved …`)
for (let round = 0; round < RUNS; round++) {
  // Rotate the order each round so no bundle always runs first or last.
  const order = everything.map((_, i) => everything[(i + round) % everything.length])
  for (const bundle of order) {
    if (bundle === undefined) continue
    for (const mode of modes) {
      const key = `${bundle.name}|${mode.key}`
      const list = samples.get(key) ?? []
      list.push(await coldImport(bundle.file, mode.flags))
      samples.set(key, list)
    }
  }
}
/** @param {ReadonlyArray<number>} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[middle]) : (/** @type {number} */ (sorted[middle - 1]) + /** @type {number} */ (sorted[middle])) / 2
}
/** @param {string} name @param {"plain" | "maps"} mode */
const importMs = (name, mode) => median(samples.get(`${name}|${mode}`) ?? [])

// ---- the table
const base = /** @type {{ raw: number; gzip: number }} */ (sized.get(baseline.name))
const baseImport = importMs(baseline.name, "plain")
const baseImportMaps = importMs(baseline.name, "maps")
/** @param {number} n */
const kib = (n) => (n / 1024).toFixed(1)
/** @param {number} n */
const ratio = (n) => `${n.toFixed(2)}×`
const rows = everything.map((bundle) => {
  const size = /** @type {{ raw: number; gzip: number }} */ (sized.get(bundle.name))
  const plain = importMs(bundle.name, "plain")
  const maps = importMs(bundle.name, "maps")
  const isReference = bundle === baseline || bundle === floor
  const meets = isReference || (size.raw / base.raw <= GOAL_RATIO && plain / baseImport <= GOAL_RATIO && size.raw < MAX_BYTES)
  return {
    bundle,
    meets,
    cells: [
      bundle.name,
      kib(size.raw),
      kib(size.gzip),
      ratio(size.raw / base.raw),
      plain.toFixed(1),
      ratio(plain / baseImport),
      maps.toFixed(1),
      ratio(maps / baseImportMaps),
      isReference ? "" : meets ? "yes" : "no"
    ]
  }
})
const header = ["bundle", "raw KiB", "gzip KiB", "size ×base", "import ms", "import ×base", "+maps ms", "+maps ×base", `≤${GOAL_RATIO}× & <1 MB`]
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => String(row.cells[i]).length)))
/** @param {ReadonlyArray<string>} cells */
const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(/** @type {number} */ (widths[i])) : cell.padStart(/** @type {number} */ (widths[i])))).join(" | ")} |`
console.log("")
console.log(line(header))
console.log(`|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`)
for (const row of rows) console.log(line(row.cells))
console.log("")
console.log(`median of ${RUNS} cold imports each (fresh node ${process.version} per sample, ${process.arch}); ` +
  "import = from import() to the evaluated module, as deployed; +maps = with --enable-source-maps.")
console.log("floor = the baseline's client in a ManagedRuntime Layer plus one Schema decode (EffectFloor.ts): " +
  "the least an Effect function imports, so no function's ratio can be below the floor's.")

// ---- why a bundle misses the goal
/** "node_modules/@smithy/core/dist-es/…" → "@smithy/core"; a workspace file → its package directory. */
/** @param {string} path */
const packageOf = (path) => {
  const nodeModules = path.lastIndexOf("node_modules/")
  if (nodeModules >= 0) {
    const [scope, name] = path.slice(nodeModules + "node_modules/".length).split("/")
    return /** @type {string} */ (scope?.startsWith("@") ? `${scope}/${name}` : scope)
  }
  const workspace = /(packages|apps)\/[^/]+/.exec(path)
  return workspace === null ? path : workspace[0]
}
/** @param {import("esbuild").Metafile} metafile */
const bytesByPackage = (metafile) => {
  /** @type {Map<string, number>} */
  const totals = new Map()
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + input.bytesInOutput)
  }
  return totals
}
/** The modules a bundle's output holds code of. @param {import("esbuild").Metafile} metafile */
const keptModules = (metafile) =>
  new Set(Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)))

/** A module of re-exports only (a package's entry), which leaves no code of its own. @param {string} path */
const isBarrel = (path) => /\/(index|memory|node)\.ts$|\/index\.js$/.test(path)

/**
 * The import chain from the entry to `target` (breadth first, so the shortest), through modules
 * the output holds (or barrels) when there is such a chain: a module esbuild dropped brings
 * nothing in.
 * @param {import("esbuild").Metafile} metafile @param {string} target
 */
const chainTo = (metafile, target) => {
  const entry = Object.values(metafile.outputs).find((output) => output.entryPoint !== undefined)?.entryPoint
  if (entry === undefined) return []
  const kept = keptModules(metafile)
  /** @param {(path: string) => boolean} passable */
  const search = (passable) => {
    /** @type {Map<string, string | undefined>} */
    const parent = new Map([[entry, undefined]])
    const queue = [entry]
    while (queue.length > 0) {
      const current = /** @type {string} */ (queue.shift())
      if (current === target) {
        const chain = []
        for (let at = /** @type {string | undefined} */ (current); at !== undefined; at = parent.get(at)) chain.unshift(at)
        return chain
      }
      for (const imported of metafile.inputs[current]?.imports ?? []) {
        if (imported.external || parent.has(imported.path) || !passable(imported.path)) continue
        parent.set(imported.path, current)
        queue.push(imported.path)
      }
    }
    return []
  }
  const throughKept = search((path) => path === target || kept.has(path) || isBarrel(path))
  return throughKept.length > 0 ? throughKept : search(() => true)
}
/**
 * Who makes a module part of a bundle. The metafile knows import edges only, and the workspace
 * imports Effect through its index ("effect"), which names every module: so for an Effect module
 * the answer is the workspace modules that import that name from "effect" (type-only imports
 * excluded), else the shortest import chain from the entry.
 * @param {import("esbuild").Metafile} metafile @param {string} path
 */
const whoUses = (metafile, path) => {
  const effectModule = /node_modules\/effect\/dist\/(?:[\w/]+\/)?(\w+)\.js$/.exec(path)?.[1]
  if (effectModule !== undefined && !path.includes("/internal/")) {
    const pattern = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"effect(?:/\\w+)?"`, "g")
    // Only modules the output holds: the metafile also lists those the entry reaches but esbuild dropped.
    const kept = keptModules(metafile)
    const users = Object.keys(metafile.inputs)
      .filter((input) => kept.has(input) && !input.includes("node_modules/") && input.endsWith(".ts"))
      .filter((input) => {
        const source = readFileSync(join(projectDir, input), "utf8")
        return [...source.matchAll(pattern)].some((m) =>
          /** @type {string} */ (m[1]).split(",").map((name) => name.trim()).some((name) => name === effectModule))
      })
    if (users.length > 0) return `${users.slice(0, 4).map(shortPath).join(", ")}${users.length > 4 ? `, +${users.length - 4}` : ""}`
  }
  return chainTo(metafile, path).map(shortPath).slice(0, -1).reverse().join(" ← ")
}

/** @param {string} path */
const shortPath = (path) => path.replace(/^(\.\.\/)+/, "").replace(/^node_modules\//, "").replace(/\/dist\/(esm\/|dist-es\/)?/, "/")
const baselinePackages = bytesByPackage(baseline.metafile)
const floorModules = keptModules(floor.metafile)
const missing = rows.filter((row) => !row.meets)
for (const { bundle } of missing) {
  const added = [...bytesByPackage(bundle.metafile)]
    .map(([name, bytes]) => /** @type {const} */ ([name, bytes - (baselinePackages.get(name) ?? 0)]))
    .filter(([, bytes]) => bytes > 1024)
    .sort((a, b) => b[1] - a[1])
  console.log("")
  console.log(`${bundle.name}: over the goal; what it adds over the baseline (minified KiB):`)
  console.log(`  ${added.slice(0, 8).map(([name, bytes]) => `${name} ${kib(bytes)}`).join(", ")}`)
  // Over the floor: what the function's own code brings, beyond what any Effect function has.
  const modules = Object.values(bundle.metafile.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .filter(([path]) => !floorModules.has(path))
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  const overFloor = modules.reduce((sum, [, input]) => sum + input.bytesInOutput, 0)
  console.log(`  heaviest modules of the ${kib(overFloor)} KiB it adds over the floor, and who brings them in:`)
  for (const [path, input] of modules.slice(0, 8)) {
    console.log(`  ${kib(input.bytesInOutput).padStart(6)} ${shortPath(path)} ← ${whoUses(bundle.metafile, path)}`)
  }
}
