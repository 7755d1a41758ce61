/**
 * The whole HTTP contract through the Lambda functions with REST API (payload 1.0) events, on
 * DynamoDB Local (tables created under a prefix of this file's own). The secret cipher is the
 * local key here: KMS has no emulator (its adapter has its own tests).
 */
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { lambdaTarget } from "./support/LambdaTarget.js"
import { createTables, dynamoEnvironment } from "./support/LambdaTest.js"

scenarioSuite("lambda: REST API events on dynamodb", async () => {
  const dynamo = await DynamoDbLocal.start()
  const environment = dynamoEnvironment(dynamo.endpoint)
  // Without a target there is no dispose: the emulator is stopped here if the tables fail.
  await createTables(environment).catch(async (error: unknown) => {
    await dynamo.stop()
    throw error
  })
  return lambdaTarget({ format: "rest", stage: "prod", environment, cleanup: () => dynamo.stop() })
})
