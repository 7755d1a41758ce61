/**
 * The same functions, the same HTTP API events, over the server's stores (PostgreSQL in a schema
 * of this file's own, Redis under a key prefix of its own; buses in process): the handlers and
 * the event translation are unchanged, each function runs its own wiring (FunctionWiring) with
 * only its stores swapped (functionLayer's `stores`) — the stores are the only difference between
 * the deployments.
 */
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import { lambdaTarget } from "./support/LambdaTarget.js"
import { testSecrets } from "./support/LambdaTest.js"
import * as PostgresStores from "./support/PostgresStores.js"

scenarioSuite("lambda: HTTP API events on postgres", async () => {
  const stores = await PostgresStores.create("lambda_scenarios")
  return lambdaTarget({ format: "httpApi", environment: testSecrets(), stores: stores.layer, cleanup: stores.drop })
})
