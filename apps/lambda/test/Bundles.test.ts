/**
 * The deployable bundles (scripts/bundle.mjs, built here first): one per function, each an ES
 * module that Node can load on its own and that exports `handler`, minified, with a linked source
 * map, and under 1 MB. Sizes and cold-import times are the benchmark's (bench/), not asserted here.
 */
import { execFile } from "node:child_process"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import type { Metafile } from "esbuild"
import { beforeAll, describe, expect, it } from "vitest"
import { bundleFunctions, functionNames, functionsOutDir, importEnvironment, metaOutDir } from "../scripts/FunctionBundles.mjs"

/** "Under 1 MB minified" (issue 6), read as 10^6 bytes. */
const MAX_BUNDLE_BYTES = 1_000_000

const run = promisify(execFile)
let metafiles: Map<string, Metafile>

beforeAll(async () => {
  metafiles = await bundleFunctions()
}, 120_000)

const bundleOf = (name: string) => join(functionsOutDir, name, "index.mjs")

describe.each([...functionNames])("%s", (name) => {
  it("is under 1 MB", () => {
    expect(statSync(bundleOf(name)).size).toBeLessThan(MAX_BUNDLE_BYTES)
  })

  it("is minified: lines of thousands of characters (unminified esbuild output averages a few dozen)", () => {
    const source = readFileSync(bundleOf(name), "utf8")
    // The newlines left are those inside template literals.
    expect(source.length / source.split("\n").length).toBeGreaterThan(1_000)
  })

  it("is an ES module with no CommonJS require shim, and links its source map", () => {
    const source = readFileSync(bundleOf(name), "utf8")
    expect(source).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/)
    // esbuild's stand-in for `require` in an ES module: it throws at load ("Dynamic require of …").
    expect(source).not.toContain("Dynamic require of")
    expect(source.trimEnd().endsWith("//# sourceMappingURL=index.mjs.map")).toBe(true)
  })

  it("has a source map of its own sources, without their contents", () => {
    const map = JSON.parse(readFileSync(`${bundleOf(name)}.map`, "utf8")) as { version: number; sources: Array<string>; mappings: string; sourcesContent?: unknown }
    expect(map.version).toBe(3)
    expect(map.mappings.length).toBeGreaterThan(0)
    expect(map.sources).toContain(`../../../src/functions/${name}.ts`)
    expect(map.sourcesContent).toBeUndefined()
  })

  it("has its metafile in dist/meta (not in the zip's directory), naming its entry", () => {
    const written = JSON.parse(readFileSync(join(metaOutDir, `${name}.json`), "utf8")) as Metafile
    expect(written).toEqual(metafiles.get(name))
    expect(Object.values(written.outputs).find((output) => output.entryPoint !== undefined)?.entryPoint).toBe(`src/functions/${name}.ts`)
    expect(existsSync(join(functionsOutDir, name, "meta.json"))).toBe(false)
  })

  it("has the environment's credentials as its only AWS credential source (no SSO, profile or STS code)", () => {
    const inputs = Object.keys(metafiles.get(name)!.inputs)
    expect(inputs.filter((path) => /credential-provider-(node|ini|sso|process|web-identity|http)|nested-clients|credential-provider-imds/.test(path))).toEqual([])
  })

  it("loads in a fresh Node process on its own and exports a handler function", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", `const m = await import(${JSON.stringify(pathToFileURL(bundleOf(name)).href)}); console.log(typeof m.handler)`],
      { env: { PATH: process.env["PATH"] ?? "", ...importEnvironment() }, timeout: 60_000 }
    )
    expect(stdout.trim()).toBe("function")
  }, 60_000)
})

it("a bundle signs its AWS requests with the credentials Lambda puts in the environment", async () => {
  const seen: Array<IncomingHttpHeaders> = []
  const server = createServer((request, response) => {
    seen.push(request.headers)
    request.resume()
    response.writeHead(400, { "content-type": "application/x-amz-json-1.0" })
    response.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "no table" }))
  })
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening))
  try {
    const { port } = server.address() as AddressInfo
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundleOf("cleanup")).href)}); await handler({}, { awsRequestId: "credentials" }).catch(() => undefined)`
    await run(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        PATH: process.env["PATH"] ?? "",
        ...importEnvironment(),
        AWS_ACCESS_KEY_ID: "ASIAFROMLAMBDAENV",
        AWS_SECRET_ACCESS_KEY: "secret-from-the-lambda-environment",
        AWS_SESSION_TOKEN: "session-token-from-the-lambda-environment",
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
        DYNAMODB_MAX_ATTEMPTS: "1"
      },
      timeout: 60_000
    })
  } finally {
    await new Promise((closed) => server.close(closed))
  }
  expect(seen.length).toBeGreaterThan(0)
  for (const headers of seen) {
    expect(headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAFROMLAMBDAENV\//)
    expect(headers["x-amz-security-token"]).toBe("session-token-from-the-lambda-environment")
  }
}, 60_000)

it("bundles nothing but the functions: no directory of a function that does not exist", async () => {
  const { readdir } = await import("node:fs/promises")
  const directories = (await readdir(functionsOutDir, { withFileTypes: true })).filter((entry) => entry.isDirectory())
  expect(directories.map((entry) => entry.name).sort()).toEqual([...functionNames].sort())
})
