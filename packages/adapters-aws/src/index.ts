/**
 * The domain's ports on DynamoDB and KMS. Filled by the DynamoDB + KMS adapters issue; the module
 * exists so the workspace graph (adapter → domain) is real from the start.
 */
export type { StoreFailure } from "@app/domain"
