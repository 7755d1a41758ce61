/**
 * AWS's DynamoDB Local (installed by scripts/install-dynamodb-local.mjs into
 * <repo>/.cache/dynamodb-local), in memory on a free port. The one launcher of the repository:
 * - `start()` gives a test file (the shells' tests) an emulator of its own, killed by `stop()`;
 * - the default export is this package's vitest globalSetup: one emulator for the whole run,
 *   whose endpoint reaches the test files as `inject("dynamoEndpoint")`; each file then works
 *   under its own random table prefix (DynamoTest.ts). It is stopped at teardown.
 * Nothing is downloaded here: a missing emulator is an error telling how to install it.
 * DYNAMODB_TEST_ENDPOINT=http://… uses an emulator that is already running instead.
 */
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join, resolve } from "node:path"
import type { TestProject } from "vitest/node"
import { freePort } from "./FreePort.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the DynamoDB Local started for this run. */
    dynamoEndpoint: string
  }
}

const repoRoot = resolve(import.meta.dirname, "../../../..")
export const emulatorHome = join(repoRoot, ".cache", "dynamodb-local")
const STARTUP_TIMEOUT_MS = 30_000

export interface DynamoDbLocal {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string
  /** Stops the emulator (SIGTERM, SIGKILL after 5 s); nothing for an external one. */
  readonly stop: () => Promise<void>
}

/** Up once it answers ListTables (a bare HTTP answer can come before it serves requests). */
const answers = async (endpoint: string): Promise<boolean> => {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "setup", secretAccessKey: "setup" },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 1_000, connectionTimeout: 500, throwOnRequestTimeout: true }
  })
  try {
    await client.send(new ListTablesCommand({}))
    return true
  } catch {
    return false
  } finally {
    client.destroy()
  }
}

const stopProcess = (child: ChildProcess): Promise<void> =>
  new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(force)
      done()
    })
    child.kill("SIGTERM")
  })

/** Starts an emulator (or names the external one) and resolves once it answers. */
export const start = async (): Promise<DynamoDbLocal> => {
  const external = process.env["DYNAMODB_TEST_ENDPOINT"]
  if (external !== undefined && external !== "") return { endpoint: external, stop: async () => {} }

  const jar = join(emulatorHome, "DynamoDBLocal.jar")
  if (!existsSync(jar)) {
    throw new Error(
      `DynamoDB Local is not installed (${jar} is missing). Run \`npm install\` at the repository root, ` +
        "or `node packages/adapters-aws/scripts/install-dynamodb-local.mjs`."
    )
  }

  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn(
    "java",
    [`-Djava.library.path=${join(emulatorHome, "DynamoDBLocal_lib")}`, "-jar", jar, "-inMemory", "-port", String(port), "-disableTelemetry"],
    { cwd: emulatorHome, stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  let spawnError: Error | undefined
  child.on("error", (error) => (spawnError = error))

  const deadline = performance.now() + STARTUP_TIMEOUT_MS
  while (!(await answers(endpoint))) {
    const exited = child.exitCode !== null || child.signalCode !== null
    if (spawnError !== undefined || exited || performance.now() > deadline) {
      await stopProcess(child)
      const why = spawnError !== undefined
        ? `could not run java (${spawnError.message}); Java 17+ must be on PATH`
        : exited
        ? `it exited with ${child.exitCode ?? child.signalCode}`
        : `it did not answer ListTables within ${STARTUP_TIMEOUT_MS / 1000} s`
      throw new Error(`DynamoDB Local did not start on port ${port}: ${why}\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { endpoint, stop: () => stopProcess(child) }
}

/** vitest globalSetup: one emulator for the whole run of this package's tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await start()
  project.provide("dynamoEndpoint", dynamo.endpoint)
  return dynamo.stop
}
