/**
 * The AWS SDK's default credential provider as the function bundles have it: the environment's
 * credentials, nothing else. Lambda always hands a function its role's credentials as
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, which is the first thing the
 * SDK's full chain (@aws-sdk/credential-provider-node) would look at too; the rest of that chain
 * (profiles and ~/.aws files, SSO, web identity, process, container and instance metadata, with
 * the STS and SSO clients they need) can never answer in Lambda, yet is ~95 KB of every bundle
 * and of its cold start. FunctionBundles.mjs substitutes this module for that package, in the
 * functions and in the benchmark's baseline alike. Not for use outside a Lambda bundle.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env"

/** @param {Parameters<typeof fromEnv>[0]} [init] */
export const defaultProvider = (init) => fromEnv(init)
