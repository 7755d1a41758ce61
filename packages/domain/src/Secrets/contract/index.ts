/** Contract suites of the Secrets area, run unchanged against every SecretCipher adapter. */
export * as SecretCipherContract from "./SecretCipherContract.js"
