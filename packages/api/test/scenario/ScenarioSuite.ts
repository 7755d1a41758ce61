/**
 * The HTTP scenario suite of API.md, written once and run unchanged against every deployment of
 * the contract: the in-process handler (this package), and the server on each store (apps/server
 * imports this file by relative path). One target per suite, shared by its tests, which run
 * concurrently and never assume an empty store. Realtime scenarios (WebSocket, SSE) run only
 * when the target has `realtime`.
 */
import { afterAll, beforeAll, describe } from "vitest"
import { authScenarios } from "./AuthScenarios.js"
import { chatScenarios } from "./ChatScenarios.js"
import { chatSocketScenarios } from "./ChatSocketScenarios.js"
import { healthScenarios } from "./HealthScenarios.js"
import { platformScenarios } from "./PlatformScenarios.js"
import { qrScenarios } from "./QrScenarios.js"
import { makeKit, type ScenarioKit, type ScenarioTarget, type Scenarios } from "./ScenarioKit.js"
import { sensorScenarios } from "./SensorScenarios.js"
import { teamScenarios } from "./TeamScenarios.js"
import { userScenarios } from "./UserScenarios.js"

export type { ScenarioTarget } from "./ScenarioKit.js"

export const scenarioSuite = (name: string, makeTarget: () => Promise<ScenarioTarget>) =>
  describe.concurrent(`HTTP scenarios: ${name}`, { timeout: 30_000 }, () => {
    let kit: ScenarioKit | undefined
    let target: ScenarioTarget | undefined

    beforeAll(async () => {
      target = await makeTarget()
      kit = makeKit(target)
    }, 60_000)

    afterAll(async () => {
      await target?.dispose()
    }, 60_000)

    const scenarios: Scenarios = {
      kit: () => {
        if (kit === undefined) throw new Error("the scenario target is not up (makeTarget failed?)")
        return kit
      }
    }

    describe("health", () => healthScenarios(scenarios))
    describe("auth", () => authScenarios(scenarios))
    describe("users", () => userScenarios(scenarios))
    describe("teams", () => teamScenarios(scenarios))
    describe("platforms", () => platformScenarios(scenarios))
    describe("chat", () => chatScenarios(scenarios))
    describe("chat realtime", () => chatSocketScenarios(scenarios))
    describe("qr login", () => qrScenarios(scenarios))
    describe("sensors", () => sensorScenarios(scenarios))
  })
