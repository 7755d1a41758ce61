/**
 * The benchmark's baseline function: the AWS SDK's DynamoDB client and nothing else, bundled with
 * the functions' own options (FunctionBundles.mjs). What any function that talks to DynamoDB pays
 * before its own code runs: the client is constructed at load, as the functions' runtimes build
 * theirs once per container; nothing is sent.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"

// The region from AWS_REGION, which Lambda sets.
const client = new DynamoDBClient({})

export const handler = async () => ({ statusCode: 200, body: await client.config.region() })
