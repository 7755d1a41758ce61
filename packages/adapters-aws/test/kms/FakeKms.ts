/**
 * A stand-in for AWS KMS. No KMS emulator exists for this machine (none on npm or in Debian), so
 * this is the one place where a fake replaces the real component: aws-sdk-client-mock stubs
 * `KMSClient.prototype.send`, and GenerateDataKey and Decrypt are answered the way KMS answers
 * them, with real cryptography rather than canned values:
 * - keys are named by key id (a UUID), key ARN, alias name or alias ARN; an unknown name is a
 *   NotFoundException, and answers always carry the key ARN;
 * - a data key is 32 random bytes, returned in plaintext and wrapped by the key's local master key
 *   with AES-256-GCM; the blob is version ‖ key id ‖ nonce ‖ wrapped key ‖ tag, with the header and
 *   the encryption context (order-independent) as additional authenticated data;
 * - Decrypt refuses a malformed or altered blob, or another encryption context, with
 *   InvalidCiphertextException, and a KeyId naming another key than the blob's with
 *   IncorrectKeyException — the exceptions KMS raises.
 * Every plaintext data key handed out is recorded (the array given to the adapter and a private
 * copy), so tests can check the adapter zeroes them and never stores or reports them.
 * Stubbing the prototype affects every KMSClient in the test file's worker: one fake per file.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto"
import { LocalEnvelopeCipher } from "@app/domain/node"
import {
  DecryptCommand,
  type DecryptCommandInput,
  type DecryptCommandOutput,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandInput,
  type GenerateDataKeyCommandOutput,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  NotFoundException
} from "@aws-sdk/client-kms"
import { type AwsStub, mockClient } from "aws-sdk-client-mock"

export const REGION = "eu-central-1"
export const ACCOUNT = "111122223333"
export const ALIAS = "alias/app-secrets"

const VERSION = 1
const KEY_ID_BYTES = 36
const HEADER_BYTES = 1 + KEY_ID_BYTES
const NONCE_BYTES = 12
const TAG_BYTES = 16
const DATA_KEY_BYTES = 32
const BLOB_BYTES = HEADER_BYTES + NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES

export const keyArn = (keyId: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`
export const aliasArn = (alias: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:${alias}`

/** A plaintext data key as handed to the adapter, and the fake's own copy of its bytes. */
export interface IssuedDataKey {
  readonly handedOut: Uint8Array
  readonly bytes: Buffer
}

export interface FakeKms {
  readonly stub: AwsStub<any, any, any>
  /** The key id (UUID) behind ALIAS when the fake was installed. */
  readonly keyId: string
  /** Creates another key; returns its key id. */
  readonly createKey: () => string
  /** Points an alias at a key (creating the alias if needed). */
  readonly setAlias: (alias: string, keyId: string) => void
  /**
   * What KMS Encrypt would give a caller allowed to use the key: `dataKey` wrapped under the
   * default key for `context` (to forge a secret for another account).
   */
  readonly wrap: (dataKey: Uint8Array, context: Record<string, string>) => Uint8Array
  /** Data keys from GenerateDataKey and Decrypt, in order. */
  readonly issued: Array<IssuedDataKey>
  /** Clears recorded calls, restores the KMS behaviour after a test overrode a command. */
  readonly reset: () => void
  readonly restore: () => void
}

const kmsError = <E extends KMSServiceException>(
  Exception: new (options: { message: string; $metadata: object }) => E,
  message: string
) => new Exception({ message, $metadata: { httpStatusCode: 400 } })

const validationError = (message: string) =>
  new KMSServiceException({ name: "ValidationException", $fault: "client", message, $metadata: { httpStatusCode: 400 } })

/** Installs the fake on KMSClient.prototype.send: one master key, named also by ALIAS. */
export const install = (): FakeKms => {
  const stub = mockClient(KMSClient)
  const masterKeys = new Map<string, Buffer>()
  const aliases = new Map<string, string>()
  const issued: Array<IssuedDataKey> = []

  const createKey = () => {
    const keyId = randomUUID()
    masterKeys.set(keyId, randomBytes(32))
    return keyId
  }
  const keyId = createKey()
  aliases.set(ALIAS, keyId)

  /** The key id a KeyId parameter names, as KMS resolves it. */
  const resolve = (name: string | undefined): string => {
    if (name === undefined || name === "") throw validationError("KeyId is required")
    const prefix = `arn:aws:kms:${REGION}:${ACCOUNT}:`
    const local = name.startsWith(prefix) ? name.slice(prefix.length) : name
    const resolved = local.startsWith("alias/")
      ? aliases.get(local)
      : local.startsWith("key/") && name.startsWith(prefix)
      ? local.slice("key/".length)
      : local
    if (resolved === undefined || !masterKeys.has(resolved)) throw kmsError(NotFoundException, `Key '${name}' does not exist`)
    return resolved
  }

  const aad = (header: Uint8Array, context: Record<string, string> | undefined) =>
    Buffer.concat([header, Buffer.from(LocalEnvelopeCipher.canonicalContext(context ?? {}), "utf8")])

  const wrapWith = (id: string, dataKey: Uint8Array, context: Record<string, string> | undefined): Uint8Array => {
    const header = Buffer.concat([Buffer.of(VERSION), Buffer.from(id, "ascii")])
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv("aes-256-gcm", masterKeys.get(id)!, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(aad(header, context))
    return Uint8Array.from(Buffer.concat([header, nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]))
  }

  const handOut = (bytes: Buffer): Uint8Array => {
    const handedOut = Uint8Array.from(bytes)
    issued.push({ handedOut, bytes })
    return handedOut
  }

  const generateDataKey = async (input: GenerateDataKeyCommandInput): Promise<GenerateDataKeyCommandOutput> => {
    const id = resolve(input.KeyId)
    if (input.KeySpec !== "AES_256" && input.NumberOfBytes !== DATA_KEY_BYTES) {
      throw validationError("this fake hands out AES_256 data keys only")
    }
    const dataKey = randomBytes(DATA_KEY_BYTES)
    const blob = wrapWith(id, dataKey, input.EncryptionContext)
    return { KeyId: keyArn(id), CiphertextBlob: blob, Plaintext: handOut(dataKey), $metadata: {} }
  }

  const decrypt = async (input: DecryptCommandInput): Promise<DecryptCommandOutput> => {
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array())
    const invalid = () => kmsError(InvalidCiphertextException, "")
    if (blob.length !== BLOB_BYTES || blob[0] !== VERSION) throw invalid()
    const id = blob.subarray(1, HEADER_BYTES).toString("ascii")
    const master = masterKeys.get(id)
    if (master === undefined) throw invalid()
    if (input.KeyId !== undefined && resolve(input.KeyId) !== id) {
      throw kmsError(IncorrectKeyException, "The key ID in the request does not identify the key that encrypted the ciphertext")
    }
    try {
      const nonce = blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES)
      const decipher = createDecipheriv("aes-256-gcm", master, nonce, { authTagLength: TAG_BYTES })
      decipher.setAAD(aad(blob.subarray(0, HEADER_BYTES), input.EncryptionContext))
      decipher.setAuthTag(blob.subarray(BLOB_BYTES - TAG_BYTES))
      const dataKey = Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES + NONCE_BYTES, BLOB_BYTES - TAG_BYTES)), decipher.final()])
      return { KeyId: keyArn(id), Plaintext: handOut(dataKey), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", $metadata: {} }
    } catch {
      throw invalid()
    }
  }

  const behave = () => {
    stub.on(GenerateDataKeyCommand).callsFake(generateDataKey)
    stub.on(DecryptCommand).callsFake(decrypt)
  }
  behave()

  return {
    stub,
    keyId,
    createKey,
    setAlias: (alias, target) => void aliases.set(alias, target),
    wrap: (dataKey, context) => wrapWith(keyId, dataKey, context),
    issued,
    reset: () => {
      stub.reset()
      issued.length = 0
      aliases.set(ALIAS, keyId)
      behave()
    },
    restore: () => stub.restore()
  }
}
