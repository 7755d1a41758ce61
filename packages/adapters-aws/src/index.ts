/**
 * The domain's ports on DynamoDB and KMS: the serverless build's data layer. `AwsStores`
 * composes the DynamoDB adapters; `KmsEnvelopeCipher` is the secret cipher.
 */
export * as AwsStores from "./AwsStores.js"
export * from "./dynamodb/index.js"
export * from "./kms/index.js"
