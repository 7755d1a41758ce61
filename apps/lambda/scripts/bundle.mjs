#!/usr/bin/env node
/**
 * Builds one deployable bundle per Lambda function (see FunctionBundles.mjs for the options and
 * why): dist/functions/<name>/index.mjs + index.mjs.map, the directories template.yaml's CodeUri
 * points at, each ready to zip; esbuild's metafiles go to dist/meta/<name>.json (inspect a size
 * regression with `npx esbuild --analyze` or https://esbuild.github.io/analyze/).
 *   node scripts/bundle.mjs            every function
 *   node scripts/bundle.mjs auth qr    only these
 * Part of `npm run build` (after tsc); the tests run it themselves.
 */
import { existsSync } from "node:fs"
import { bundleFunctions, entryOf, functionNames, functionsOutDir, shown } from "./FunctionBundles.mjs"

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !(/** @type {ReadonlyArray<string>} */ (functionNames)).includes(name))
if (unknown.length > 0) {
  console.error(`bundle: unknown function ${unknown.join(", ")} (known: ${functionNames.join(", ")})`)
  process.exit(2)
}
const names = requested.length > 0 ? requested : [...functionNames]
const missing = names.filter((name) => !existsSync(entryOf(name)))
if (missing.length > 0) {
  console.error(`bundle: no entry for ${missing.map((name) => shown(entryOf(name))).join(", ")}`)
  process.exit(1)
}

const started = performance.now()
try {
  const built = await bundleFunctions(names)
  for (const [name, metafile] of built) {
    const bytes = Object.values(metafile.outputs).find((output) => output.entryPoint !== undefined)?.bytes ?? 0
    console.log(`bundle: ${shown(`${functionsOutDir}/${name}/index.mjs`)}  ${(bytes / 1024).toFixed(1)} KiB`)
  }
  console.log(`bundle: ${built.size} functions in ${Math.round(performance.now() - started)} ms`)
} catch (error) {
  // esbuild has printed its diagnostics already.
  console.error(`bundle failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`)
  process.exit(1)
}
