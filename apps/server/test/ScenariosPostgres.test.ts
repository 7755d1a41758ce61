/** The whole HTTP contract, realtime included, on the server over the real Postgres + Redis (a schema and key prefix of its own). */
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import * as PostgresSchema from "./support/PostgresSchema.js"
import { serverTarget } from "./support/ScenarioTargets.js"

scenarioSuite("server: postgres + redis", async () => {
  const schema = await PostgresSchema.create("scenarios")
  return serverTarget(schema.env, schema.drop)
})
