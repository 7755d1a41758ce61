#!/usr/bin/env node
/**
 * Writes template.yaml from the skeleton and the code (see SamTemplate.ts):
 *   node scripts/template.mjs           regenerate template.yaml
 *   node scripts/template.mjs --check   exit 1 when template.yaml is not what would be generated
 * The generator is TypeScript that imports the workspace packages from source, which Node cannot
 * run as is: esbuild bundles it (into dist/template-generator/, resolving as the function bundles
 * do) and this script imports that.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as esbuild from "esbuild"
import { bundleOptions, projectDir, shown } from "./FunctionBundles.mjs"

const check = process.argv.includes("--check")
const generator = join(projectDir, "dist", "template-generator", "SamTemplate.mjs")
await esbuild.build({
  ...bundleOptions,
  minify: false,
  sourcemap: false,
  metafile: false,
  // Only the workspace's TypeScript needs bundling; npm packages load as they are (yaml's Node
  // build is CommonJS, which an ES module bundle cannot require).
  external: ["yaml", "effect", "esbuild", "@aws-sdk/*"],
  entryPoints: [join(projectDir, "scripts", "SamTemplate.ts")],
  outfile: generator,
  absWorkingDir: projectDir
})
const { renderTemplate, templatePath } = await import(`${pathToFileURL(generator).href}?${Date.now()}`)

const expected = renderTemplate(projectDir)
const path = templatePath(projectDir)
let current = ""
try {
  current = readFileSync(path, "utf8")
} catch {
  // absent: written below, or reported as stale
}
if (current === expected) {
  console.log(`template: ${shown(path)} is up to date`)
} else if (check) {
  console.error(`template: ${shown(path)} is stale; run \`npm run template -w @app/lambda\``)
  process.exit(1)
} else {
  writeFileSync(path, expected)
  console.log(`template: wrote ${shown(path)}`)
}
