/** The Secrets area: the envelope-encryption port, its stored form and its errors. */
export * from "./SecretCipher.js"
