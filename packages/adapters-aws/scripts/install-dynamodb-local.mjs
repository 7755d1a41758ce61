#!/usr/bin/env node
/**
 * Puts DynamoDB Local (AWS's own emulator, shipped inside the npm package
 * amplify-dynamodb-simulator under package/emulator) at <repo root>/.cache/dynamodb-local, so the
 * adapter tests can start it without any download. Install-time only: the root postinstall calls
 * it; the test setup never downloads. Idempotent: does nothing when the jar is already there.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const PACKAGE = "amplify-dynamodb-simulator@2.9.30"
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const target = join(repoRoot, ".cache", "dynamodb-local")
const jar = join(target, "DynamoDBLocal.jar")

if (existsSync(jar)) {
  console.log(`dynamodb-local: already installed at ${target}`)
} else {
  const work = mkdtempSync(join(tmpdir(), "dynamodb-local-"))
  try {
    console.log(`dynamodb-local: npm pack ${PACKAGE}`)
    const packed = execFileSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", work], {
      cwd: work,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    }).trim().split("\n").pop()
    const tarball = join(work, packed)
    execFileSync("tar", ["xzf", tarball, "-C", work, "package/emulator"], { stdio: "inherit" })
    const emulator = join(work, "package", "emulator")
    if (!existsSync(join(emulator, "DynamoDBLocal.jar"))) {
      throw new Error(`${PACKAGE} has no package/emulator/DynamoDBLocal.jar`)
    }
    // Move into a sibling first and rename, so an interrupted install never leaves a half directory.
    mkdirSync(dirname(target), { recursive: true })
    const staging = `${target}.partial-${process.pid}`
    rmSync(staging, { recursive: true, force: true })
    renameOrCopy(emulator, staging)
    rmSync(target, { recursive: true, force: true })
    renameSync(staging, target)
    console.log(`dynamodb-local: installed ${readdirSync(target).length} entries into ${target}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function renameOrCopy(from, to) {
  try {
    renameSync(from, to)
  } catch {
    // Across file systems (tmp on another mount) rename fails; tar copies preserving the tree.
    mkdirSync(to, { recursive: true })
    execFileSync("sh", ["-c", 'tar cf - -C "$1" . | tar xf - -C "$2"', "sh", from, to], { stdio: "inherit" })
  }
}
