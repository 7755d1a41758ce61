/**
 * The whole HTTP contract through the Lambda functions with HTTP API (payload 2.0) events, on
 * DynamoDB Local (tables created under a prefix of this file's own). The API runs on a named
 * stage, so every raw path carries "/live" for the functions to take off, and every body arrives
 * base64-encoded (as API Gateway sends binary media types), so decoding is on the path of every
 * scenario. The secret cipher is the local key: KMS has no emulator.
 */
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { lambdaTarget } from "./support/LambdaTarget.js"
import { createTables, dynamoEnvironment } from "./support/LambdaTest.js"

scenarioSuite("lambda: HTTP API events on dynamodb", async () => {
  const dynamo = await DynamoDbLocal.start()
  const environment = dynamoEnvironment(dynamo.endpoint)
  // Without a target there is no dispose: the emulator is stopped here if the tables fail.
  await createTables(environment).catch(async (error: unknown) => {
    await dynamo.stop()
    throw error
  })
  return lambdaTarget({ format: "httpApi", stage: "live", base64Bodies: true, environment, cleanup: () => dynamo.stop() })
})
