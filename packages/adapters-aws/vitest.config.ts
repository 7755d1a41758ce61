import { projectConfig } from "../../vitest.shared.js"

// One DynamoDB Local for the whole run (test/support/DynamoDbLocal.ts); test files isolate
// themselves by table prefix. Contract suites' model runs make thousands of real round trips,
// hence the longer timeouts.
export default projectConfig(import.meta.dirname, {
  globalSetup: ["test/support/DynamoDbLocal.ts"],
  testTimeout: 120_000,
  hookTimeout: 60_000
})
