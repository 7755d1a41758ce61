/**
 * How a Lambda function of this app is bundled: the list of functions, the esbuild options every
 * bundle shares, and the build itself. `scripts/bundle.mjs` builds the deployable bundles with it,
 * and `bench/bundles.bench.mjs` builds its SDK-only baseline with the very same options, so the
 * benchmark compares like with like.
 *
 * The AWS SDK is bundled, not left to the runtime (`@aws-sdk/*` is NOT external):
 * - the version that runs is the one in package-lock.json, the one the DynamoDB Local and KMS tests
 *   ran against; the SDK that nodejs22.x ships is whatever AWS last put there, and changes under a
 *   deployed function without a deploy;
 * - esbuild keeps only the parts of the SDK the adapters import, in one minified file with no
 *   module resolution at start; the runtime's SDK is hundreds of files read from disk at cold start;
 * - the benchmark's baseline (a bundle of @aws-sdk/client-dynamodb alone) is then the honest floor:
 *   what any function that talks to DynamoDB pays before its own code runs.
 */
import { existsSync } from "node:fs"
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"

/** apps/lambda */
export const projectDir = join(dirname(fileURLToPath(import.meta.url)), "..")

/**
 * Every function of the deployment: the HTTP groups of src/FunctionGroups.ts (same order), the
 * AppSync chat resolver, the IoT Core sensor ingest and the scheduled cleanup. Each has its entry
 * at src/functions/<name>.ts exporting `handler`. The template test checks this list against
 * FunctionGroups and the template, so none can be added in one place only.
 */
export const functionNames = /** @type {const} */ ([
  "auth",
  "users",
  "teams",
  "platforms",
  "chat",
  "qr",
  "sensors",
  "health",
  "chatResolver",
  "sensorIngest",
  "cleanup"
])

/** Where the deployable bundles go: dist/functions/<name>/index.mjs (+ index.mjs.map), one zip each. */
export const functionsOutDir = join(projectDir, "dist", "functions")

/** esbuild's metafiles (kept out of the function directories so they are not zipped and shipped). */
export const metaOutDir = join(projectDir, "dist", "meta")

/**
 * The environment a bundle is imported with outside Lambda (its tests and the benchmark): what
 * the template gives a function, pointed at nothing reachable, so importing a bundle can never
 * touch a real table or key. Only module evaluation is wanted from it.
 *
 * @returns {Record<string, string>}
 */
export const importEnvironment = () => ({
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bundleimport",
  AWS_SECRET_ACCESS_KEY: "bundleimport",
  AWS_LAMBDA_FUNCTION_NAME: "bundle-import",
  DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
  DYNAMODB_TABLE_PREFIX: "bundle-import-",
  AUTH_MODE: "jwt",
  AUTH_ACCESS_TOKEN_SECRET: "bundle-import-access-token-secret-0123456789",
  AUTH_REFRESH_TOKEN_SECRET: "bundle-import-refresh-token-secret-0123456789",
  KMS_KEY_ID: "alias/bundle-import",
  LOG_LEVEL: "silent",
  PUBLIC_URL: "http://localhost:5173",
  CORS_ORIGINS: "http://localhost:5173"
})

/** @param {string} name */
export const entryOf = (name) => join(projectDir, "src", "functions", `${name}.ts`)

/**
 * Resolves the AWS SDK's default credential chain to LambdaCredentials.mjs (see there why).
 *
 * @type {import("esbuild").Plugin}
 */
export const lambdaCredentials = {
  name: "lambda-credentials",
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(projectDir, "scripts", "LambdaCredentials.mjs")
    }))
  }
}

/**
 * The options of every bundle (the benchmark's baseline included).
 * - ESM for nodejs22.x, where an `.mjs` handler is loaded as an ES module.
 * - mainFields module,main: packages with both builds (the AWS SDK, its smithy deps) resolve to
 *   their ES build. With the default (main first) the SDK's CommonJS build is bundled and its
 *   `require("node:https")` becomes a dynamic require that throws in an ES module at load.
 * - conditions @app/source: workspace packages bundle from their TypeScript sources (as the tests
 *   run them), so a bundle never depends on a stale dist/ of another package. "module" is listed
 *   because giving any condition drops esbuild's implicit one.
 * - sourcemap without sourcesContent: stack traces map to file and line (with NODE_OPTIONS
 *   --enable-source-maps) without shipping every source file a second time.
 * - the SDK's credential chain is the environment's credentials only (LambdaCredentials.mjs), which
 *   is where Lambda puts them.
 *
 * @type {import("esbuild").BuildOptions}
 */
export const bundleOptions = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minify: true,
  sourcemap: "linked",
  sourcesContent: false,
  mainFields: ["module", "main"],
  conditions: ["@app/source", "module"],
  outExtension: { ".js": ".mjs" },
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [lambdaCredentials]
}

/**
 * Writes a file so that a concurrent reader sees the old or the new content, never a part: the
 * tests bundle from several worker processes at once, and may import a bundle another is writing.
 */
/** @param {string} path @param {Uint8Array | string} contents */
const writeAtomically = async (path, contents) => {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temporary, contents)
  await rename(temporary, path)
}

/**
 * One esbuild run over `entries` (output name → entry file), without code splitting: each output
 * is a complete bundle of its own, and the shared modules are parsed once for all of them. Files
 * are written under `outDir` (`<name>.mjs` + `.map`); returns each output's own metafile (its
 * inputs and its outputs only), the form `esbuild --analyze` reads.
 *
 * @param {{ entries: Record<string, string>; outDir: string; options?: import("esbuild").BuildOptions }} input
 * @returns {Promise<Map<string, import("esbuild").Metafile>>}
 */
export const bundleEntries = async ({ entries, outDir, options = {} }) => {
  const result = await esbuild.build({
    ...bundleOptions,
    ...options,
    entryPoints: entries,
    outdir: outDir,
    absWorkingDir: projectDir,
    write: false
  })
  for (const file of result.outputFiles) await writeAtomically(file.path, file.contents)
  const metafile = /** @type {import("esbuild").Metafile} */ (result.metafile)
  /** @type {Map<string, import("esbuild").Metafile>} */
  const perEntry = new Map()
  for (const name of Object.keys(entries)) {
    const outputPath = relative(projectDir, join(outDir, `${name}.mjs`)).split(sep).join("/")
    const output = metafile.outputs[outputPath]
    if (output === undefined) throw new Error(`esbuild wrote no ${outputPath}`)
    // Every module the entry reaches, not only those that left bytes in the output: the import
    // chains through re-exporting modules stay whole for whoever reads the metafile.
    /** @type {Record<string, import("esbuild").Metafile["inputs"][string]>} */
    const inputs = {}
    const pending = output.entryPoint === undefined ? [] : [output.entryPoint]
    for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
      const input = metafile.inputs[path]
      if (input === undefined || path in inputs) continue
      inputs[path] = input
      for (const imported of input.imports) if (!imported.external) pending.push(imported.path)
    }
    const outputs = Object.fromEntries(
      Object.entries(metafile.outputs).filter(([path]) => path === outputPath || path === `${outputPath}.map`)
    )
    perEntry.set(name, { inputs, outputs })
  }
  return perEntry
}

/**
 * Bundles every function (or those named) into dist/functions/<name>/index.mjs, writes each
 * metafile to dist/meta/<name>.json, and removes what is left of functions that no longer exist.
 * Returns each function's metafile.
 *
 * @param {ReadonlyArray<string>} [names]
 * @returns {Promise<Map<string, import("esbuild").Metafile>>}
 */
export const bundleFunctions = async (names = functionNames) => {
  const built = await bundleEntries({
    entries: Object.fromEntries(names.map((name) => [`${name}/index`, entryOf(name)])),
    outDir: functionsOutDir
  })
  /** @type {Map<string, import("esbuild").Metafile>} */
  const byFunction = new Map()
  for (const name of names) {
    const metafile = /** @type {import("esbuild").Metafile} */ (built.get(`${name}/index`))
    await writeAtomically(join(metaOutDir, `${name}.json`), JSON.stringify(metafile))
    byFunction.set(name, metafile)
  }
  // Only directories this script made (they hold an index.mjs): tsc also writes into dist/functions.
  await removeStale(
    functionsOutDir,
    (entry) => entry.isDirectory() && !isFunctionName(entry.name) && existsSync(join(functionsOutDir, entry.name, "index.mjs"))
  )
  await removeStale(metaOutDir, (entry) => entry.isFile() && !isFunctionName(entry.name.replace(/\.json$/, "")))
  return byFunction
}

/** @param {string} name */
const isFunctionName = (name) => /** @type {ReadonlyArray<string>} */ (functionNames).includes(name)

/** @param {string} dir @param {(entry: import("node:fs").Dirent) => boolean} stale */
const removeStale = async (dir, stale) => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) if (stale(entry)) await rm(join(dir, entry.name), { recursive: true, force: true })
}

/**
 * "dist/functions/auth/index.mjs": a path for messages, relative to apps/lambda.
 * @param {string} path
 */
export const shown = (path) => relative(projectDir, path)
