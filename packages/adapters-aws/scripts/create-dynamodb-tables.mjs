#!/usr/bin/env node
/**
 * Creates every table of src/dynamodb/Tables.ts (the single source of the schema) on the DynamoDB
 * the environment points at, for local development:
 *   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 AWS_REGION=ap-northeast-2 DYNAMODB_TABLE_PREFIX=dev- \
 *     node packages/adapters-aws/scripts/create-dynamodb-tables.mjs
 * Start DynamoDB Local first (java -Djava.library.path=.cache/dynamodb-local/DynamoDBLocal_lib
 * -jar .cache/dynamodb-local/DynamoDBLocal.jar -sharedDb -port 8000). Existing tables are kept.
 * Runs the built package: build it first (npm run build).
 */
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const built = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "dynamodb", "index.js")
if (!existsSync(built)) {
  console.error(`create-dynamodb-tables: ${built} is missing; run \`npm run build\` first.`)
  process.exit(1)
}
// DynamoDB Local accepts any credentials made of letters and digits; AWS needs real ones.
if (process.env.DYNAMODB_ENDPOINT && !process.env.AWS_ACCESS_KEY_ID) {
  process.env.AWS_ACCESS_KEY_ID = "local"
  process.env.AWS_SECRET_ACCESS_KEY = "local"
}

const { Effect } = await import("effect")
const { DynamoClient, TableSetup, Tables } = await import(pathToFileURL(built).href)

const program = Effect.gen(function*() {
  const client = yield* DynamoClient
  yield* TableSetup.createAll()
  for (const table of Tables.tableKeys) console.log(`create-dynamodb-tables: ${client.tableName(table)}`)
}).pipe(Effect.provide(DynamoClient.layerConfig))

await Effect.runPromise(program).catch((error) => {
  console.error("create-dynamodb-tables failed:", error)
  process.exit(1)
})
