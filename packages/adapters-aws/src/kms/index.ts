/** The SecretCipher port on AWS KMS (envelope encryption with KMS data keys). */
export * as KmsEnvelopeCipher from "./KmsEnvelopeCipher.js"
