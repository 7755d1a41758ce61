/**
 * The whole HTTP contract, realtime included, on the server with STORE=dynamodb: DynamoDB Local
 * (tables created at start under a prefix of this file's own), realtime buses on Redis. The
 * secret cipher is the local key here: KMS has no emulator (its adapter has its own tests).
 */
import { randomBytes } from "node:crypto"
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { serverTarget } from "./support/ScenarioTargets.js"

scenarioSuite("server: dynamodb", async () => {
  const dynamo = await DynamoDbLocal.start()
  // The SDK's credential chain reads these from the process (DynamoDB Local accepts any letters).
  process.env["AWS_ACCESS_KEY_ID"] = "scenarios"
  process.env["AWS_SECRET_ACCESS_KEY"] = "scenarios"
  return serverTarget(
    {
      STORE: "dynamodb",
      AWS_REGION: "us-east-1",
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_TABLE_PREFIX: `s${randomBytes(5).toString("hex")}-`,
      DYNAMODB_CREATE_TABLES: "true",
      DYNAMODB_REQUEST_TIMEOUT_MS: "5000",
      REDIS_URL: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: `test:scenarios-dynamo:${randomBytes(6).toString("hex")}:`,
      AUTH_ACCESS_TOKEN_SECRET: randomBytes(32).toString("hex"),
      AUTH_REFRESH_TOKEN_SECRET: randomBytes(32).toString("hex"),
      SECRETS_MASTER_KEY: randomBytes(32).toString("base64")
    },
    () => dynamo.stop()
  )
})
