/**
 * The domain is published and imported by every other project, so it must stay free of I/O:
 * this scans what its sources and its manifest actually import (lint enforces the same through
 * Nx tags; this makes it part of the test count and catches a dependency added to package.json).
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

const importsOf = (file: string): Array<string> =>
  Array.from(readFileSync(file, "utf8").matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g))
    .map((m) => m[1] ?? m[2]!)

const forbidden = [/^@aws-sdk\//, /^aws-sdk$/, /^pg(-|$)/, /^@electric-sql\//, /^ioredis$/, /^redis$/, /^fastify$/, /^@fastify\//, /^mqtt$/, /^ws$/, /^(node:)?(http|https|net|fs|fs\/promises|child_process|dgram|tls)$/]

describe("domain boundaries", () => {
  const files = sources(join(root, "src"))

  it("has sources to check", () => {
    expect(files.length).toBeGreaterThan(10)
  })

  it("imports no AWS, SQL, Redis, HTTP or filesystem module", () => {
    const offending = files.flatMap((file) =>
      importsOf(file).filter((spec) => forbidden.some((re) => re.test(spec))).map((spec) => `${relative(root, file)}: ${spec}`)
    )
    expect(offending).toEqual([])
  })

  it("uses node: modules only under src/node/, and there only node:crypto", () => {
    const offending = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("node:"))
        .filter((spec) => !(relative(root, file).startsWith("src/node/") && spec === "node:crypto"))
        .map((spec) => `${relative(root, file)}: ${spec}`)
    )
    expect(offending).toEqual([])
  })

  it("declares no I/O library as a dependency", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
    expect(deps.filter((d) => forbidden.some((re) => re.test(d)))).toEqual([])
  })
})
