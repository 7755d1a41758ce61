/**
 * (A copy of apps/server/test/support/DynamoDbLocal.ts: test support cannot be imported across
 * shells. To be shared once there is a place for it.)
 *
 * AWS's DynamoDB Local (installed by the root postinstall into .cache/dynamodb-local) for one test
 * file: started in memory on a free port, killed by `stop()`. DYNAMODB_TEST_ENDPOINT=http://…
 * uses an emulator that is already running instead. Nothing is downloaded here.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { join, resolve } from "node:path"

const emulatorHome = join(resolve(import.meta.dirname, "../../../.."), ".cache", "dynamodb-local")

export interface DynamoDbLocal {
  readonly endpoint: string
  readonly stop: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((done, reject) => {
    const probe = createServer()
    probe.on("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address !== null ? done(address.port) : reject(new Error("no port"))))
    })
  })

/** Any HTTP answer means it is up (an unsigned request gets a 400). */
const answers = async (endpoint: string) => {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1_000) })
    return true
  } catch {
    return false
  }
}

export const start = async (): Promise<DynamoDbLocal> => {
  const external = process.env["DYNAMODB_TEST_ENDPOINT"]
  if (external !== undefined && external !== "") return { endpoint: external, stop: async () => {} }
  const jar = join(emulatorHome, "DynamoDBLocal.jar")
  if (!existsSync(jar)) throw new Error(`DynamoDB Local is not installed (${jar} is missing); run the root npm install`)
  const port = await freePort()
  const child = spawn(
    "java",
    [`-Djava.library.path=${join(emulatorHome, "DynamoDBLocal_lib")}`, "-jar", jar, "-inMemory", "-port", String(port), "-disableTelemetry"],
    { cwd: emulatorHome, stdio: "ignore" }
  )
  const exited = new Promise<void>((done) => child.on("exit", () => done()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL")
      await exited
    }
  }
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`DynamoDB Local did not start on port ${port}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { endpoint, stop }
}
