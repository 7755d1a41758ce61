/**
 * Each function's wiring builds what its routes or events need and nothing more, as far as its
 * secrets show it: a function builds from the secrets FunctionWiring.secretsRead gives it alone
 * (so it reads no other: health and sensorIngest none, only platforms the cipher's key), and
 * fails to build without any one of them, naming the variable. The SAM template gives each
 * function exactly these (Template.test), so this is what keeps that least privilege true.
 * In-memory stores: no store is under test.
 */
import { afterAll, describe, expect, it } from "vitest"
import { ContainerInitError, FunctionWiring } from "../src/index.js"
import { LogCollector, memoryStores, testContainer, testSecrets, type WiredFunction } from "./support/LambdaTest.js"

/** The variables of each secret the local (non-KMS) run reads. */
const variablesOf: Record<FunctionWiring.SecretGroup, ReadonlyArray<string>> = {
  tokenKeys: ["AUTH_ACCESS_TOKEN_SECRET", "AUTH_REFRESH_TOKEN_SECRET"],
  cipherKey: ["SECRETS_MASTER_KEY"]
}

const names = Object.keys(FunctionWiring.byFunction) as Array<WiredFunction>
const secrets = testSecrets()
const readBy = (name: WiredFunction): ReadonlyArray<FunctionWiring.SecretGroup> => FunctionWiring.secretsRead[name]

/** The environment holding the given secrets' variables and no other secret. */
const environmentWith = (groups: ReadonlyArray<FunctionWiring.SecretGroup>): Record<string, string> =>
  Object.fromEntries(groups.flatMap((group) => variablesOf[group].map((variable) => [variable, secrets[variable]!])))

const disposers: Array<() => Promise<void>> = []
afterAll(() => Promise.all(disposers.map((dispose) => dispose())))

const build = (name: WiredFunction, environment: Record<string, string>) => {
  const logs = new LogCollector()
  const container = testContainer(name, environment, { stores: memoryStores, logs })
  disposers.push(() => container.dispose())
  return { runtime: container.runtime(), logs }
}

describe("each function's wiring and its secrets", () => {
  it("every secret is one some function reads (none is passed for nothing)", () => {
    const read = new Set(names.flatMap(readBy))
    expect([...read].sort()).toEqual(Object.keys(variablesOf).sort())
    expect(names.filter((name) => readBy(name).includes("cipherKey"))).toEqual(["platforms"])
    expect(names.filter((name) => readBy(name).length === 0).sort()).toEqual(["health", "sensorIngest"])
  })

  it.each(names)("%s builds from the secrets it reads alone", async (name) => {
    const { runtime, logs } = build(name, environmentWith(readBy(name)))
    await expect(runtime, logs.text).resolves.toBeDefined()
  })

  it.each(names.flatMap((name) => readBy(name).map((group) => [name, group] as const)))(
    "%s does not build without %s, and says which variable is missing",
    async (name, group) => {
      const { runtime, logs } = build(name, environmentWith(readBy(name).filter((other) => other !== group)))
      await expect(runtime).rejects.toBeInstanceOf(ContainerInitError)
      expect(variablesOf[group].some((variable) => logs.text.includes(variable)), logs.text).toBe(true)
      for (const value of Object.values(secrets)) expect(logs.text).not.toContain(value)
    }
  )
})
