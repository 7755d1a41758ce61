/**
 * What the contract cannot see of the KMS adapter: the exact requests it sends (KeyId, KeySpec,
 * EncryptionContext on both calls), the stored key ARN, the mapping of each KMS exception, the
 * per-call deadline, zeroed data keys, one client per layer, and its configuration. KMS is the
 * fake of FakeKms.ts (no KMS emulator exists here); a test that overrides a command gets the fake
 * back before the next test.
 */
import { assert, beforeEach, describe, it } from "@effect/vitest"
import {
  DecryptCommand,
  DependencyTimeoutException,
  DisabledException,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KeyUnavailableException,
  KMSClient,
  KMSInternalException,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException
} from "@aws-sdk/client-kms"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { afterAll, vi } from "vitest"
import { EncryptedSecret, SecretCipher, SecretCipherError } from "@app/domain"
import { KmsEnvelopeCipher } from "../../src/kms/index.js"
import * as FakeKms from "./FakeKms.js"

const fake = FakeKms.install()
beforeEach(() => fake.reset())
afterAll(() => fake.restore())

const context = { userId: "u-1", platform: "google", accountId: "acc-1" }
const config = { keyId: FakeKms.ALIAS, region: FakeKms.REGION }
const cipherLayer = KmsEnvelopeCipher.layer(config)

const failureOf = <A>(exit: Exit.Exit<A, unknown>): SecretCipherError => {
  const error = Option.getOrThrowWith(Exit.findErrorOption(exit), () => new Error(`expected a failure, got ${String(exit)}`))
  assert.instanceOf(error, SecretCipherError)
  return error
}

/** Every text form of an error: none may contain a secret. */
const textsOf = (error: SecretCipherError) => [error.reason.message, String(error), JSON.stringify(error), error.stack ?? ""]

const serviceError = (name: string, status: number) =>
  new KMSServiceException({ name, $fault: status >= 500 ? "server" : "client", message: `${name} pw-vendor-text`, $metadata: { httpStatusCode: status } })

const exception = <E>(Exception: new (options: { message: string; $metadata: object }) => E, status = 400) =>
  new Exception({ message: "vendor message pw-vendor-text", $metadata: { httpStatusCode: status } })

/** Each failure KMS can answer with, and the reason the port reports. */
const kmsFailures: ReadonlyArray<readonly [string, () => Error, "IntegrityFailure" | "Unavailable" | "TimedOut" | "Unexpected"]> = [
  ["InvalidCiphertextException", () => exception(InvalidCiphertextException), "IntegrityFailure"],
  ["IncorrectKeyException", () => exception(IncorrectKeyException), "IntegrityFailure"],
  ["ThrottlingException", () => serviceError("ThrottlingException", 400), "Unavailable"],
  ["KMSInternalException", () => exception(KMSInternalException, 500), "Unavailable"],
  ["KeyUnavailableException", () => exception(KeyUnavailableException, 500), "Unavailable"],
  ["an unmodelled 503", () => serviceError("ServiceUnavailableException", 503), "Unavailable"],
  ["ECONNRESET", () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "Unavailable"],
  ["ECONNREFUSED", () => Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" }), "Unavailable"],
  ["ENOTFOUND", () => Object.assign(new Error("getaddrinfo ENOTFOUND kms"), { code: "ENOTFOUND" }), "Unavailable"],
  ["DependencyTimeoutException", () => exception(DependencyTimeoutException, 503), "TimedOut"],
  ["the SDK's TimeoutError", () => Object.assign(new Error("socket timed out"), { name: "TimeoutError" }), "TimedOut"],
  ["ETIMEDOUT", () => Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }), "TimedOut"],
  ["AccessDeniedException", () => serviceError("AccessDeniedException", 400), "Unexpected"],
  ["NotFoundException", () => exception(NotFoundException), "Unexpected"],
  ["DisabledException", () => exception(DisabledException), "Unexpected"],
  ["KMSInvalidStateException", () => exception(KMSInvalidStateException), "Unexpected"],
  ["InvalidKeyUsageException", () => exception(InvalidKeyUsageException), "Unexpected"],
  ["ValidationException", () => serviceError("ValidationException", 400), "Unexpected"],
  ["ExpiredTokenException", () => serviceError("ExpiredTokenException", 400), "Unexpected"],
  ["a plain Error", () => new Error("pw-vendor-text"), "Unexpected"],
  ["a non-error value", () => "pw-vendor-text" as unknown as Error, "Unexpected"]
]

/** A KMS call that never answers, and a promise settled once it has been made. */
const hangingCall = () => {
  let started: () => void = () => {}
  const whenStarted = new Promise<void>((resolve) => (started = resolve))
  const hang = () => {
    started()
    return new Promise<never>(() => {})
  }
  return { whenStarted, hang }
}

describe("KmsEnvelopeCipher", () => {
  describe("requests", () => {
    it.effect("GenerateDataKey: the configured KeyId exactly, KeySpec AES_256 and the context", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        yield* cipher.encrypt(Redacted.make("pw-request"), context)
        const calls = fake.stub.commandCalls(GenerateDataKeyCommand)
        assert.strictEqual(calls.length, 1)
        assert.deepStrictEqual(calls[0]!.args[0].input, { KeyId: FakeKms.ALIAS, KeySpec: "AES_256", EncryptionContext: context })
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("stores the key ARN KMS answered with and the blob KMS made, base64", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-stored"), context)
        const generated = yield* Effect.promise(() => fake.stub.commandCalls(GenerateDataKeyCommand)[0]!.returnValue)
        assert.strictEqual(secret.keyId, FakeKms.keyArn(fake.keyId))
        assert.strictEqual(secret.encryptedDataKey, Buffer.from(generated.CiphertextBlob!).toString("base64"))
        assert.strictEqual(secret.algorithm, "AES-256-GCM")
        assert.strictEqual(Buffer.from(secret.iv, "base64").length, 12)
        assert.strictEqual(Buffer.from(secret.ciphertext, "base64").length, Buffer.byteLength("pw-stored") + 16)
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("Decrypt: the stored blob, the same context and KeyId = the stored key ARN", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-decrypt"), context)
        assert.strictEqual(Redacted.value(yield* cipher.decrypt(secret, context)), "pw-decrypt")
        const calls = fake.stub.commandCalls(DecryptCommand)
        assert.strictEqual(calls.length, 1)
        const input = calls[0]!.args[0].input
        assert.deepStrictEqual(Object.keys(input).sort(), ["CiphertextBlob", "EncryptionContext", "KeyId"])
        assert.strictEqual(input.KeyId, FakeKms.keyArn(fake.keyId))
        assert.deepStrictEqual(input.EncryptionContext, context)
        assert.deepStrictEqual(Buffer.from(input.CiphertextBlob!), Buffer.from(secret.encryptedDataKey, "base64"))
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("the context reaches KMS: the data key does not open under another context (InvalidCiphertextException)", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-ctx"), context)
        const other = { ...context, accountId: "acc-2" }
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.decrypt(secret, other))).reason._tag, "IntegrityFailure")
        const refused = fake.stub.commandCalls(DecryptCommand)[0]!
        assert.deepStrictEqual(refused.args[0].input.EncryptionContext, other)
        const rejection = yield* Effect.promise(() => refused.returnValue.then(() => undefined, (e: unknown) => e))
        assert.instanceOf(rejection, InvalidCiphertextException)
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("the payload itself is bound to the context: a data key re-wrapped for another account does not help", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-payload-bound"), context)
        const dataKey = fake.issued[0]!.bytes
        const other = { ...context, accountId: "acc-2" }
        const forged = new EncryptedSecret({ ...secret, encryptedDataKey: Buffer.from(fake.wrap(dataKey, other)).toString("base64") })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.decrypt(forged, other))).reason._tag, "IntegrityFailure")
        // The same re-wrap under the original context decrypts: the forgery tool itself is sound.
        const rewrapped = new EncryptedSecret({ ...secret, encryptedDataKey: Buffer.from(fake.wrap(dataKey, context)).toString("base64") })
        assert.strictEqual(Redacted.value(yield* cipher.decrypt(rewrapped, context)), "pw-payload-bound")
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("the empty context is sent as an empty EncryptionContext on both calls", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-empty"), {})
        yield* cipher.decrypt(secret, {})
        assert.deepStrictEqual(fake.stub.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input.EncryptionContext, {})
        assert.deepStrictEqual(fake.stub.commandCalls(DecryptCommand)[0]!.args[0].input.EncryptionContext, {})
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("malformed stored fields fail with IntegrityFailure without asking KMS", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-malformed"), context)
        for (const broken of [
          { keyId: "" },
          { encryptedDataKey: "" },
          { encryptedDataKey: "not base64!" },
          { encryptedDataKey: Buffer.alloc(6145, 1).toString("base64") },
          { iv: secret.iv + "=" },
          { iv: Buffer.alloc(16).toString("base64") },
          { ciphertext: Buffer.alloc(15).toString("base64") }
        ]) {
          const error = failureOf(yield* Effect.exit(cipher.decrypt(new EncryptedSecret({ ...secret, ...broken }), context)))
          assert.strictEqual(error.reason._tag, "IntegrityFailure")
        }
        assert.strictEqual(fake.stub.commandCalls(DecryptCommand).length, 0)
      }).pipe(Effect.provide(cipherLayer)))
  })

  describe("keys", () => {
    it.effect("secrets stay readable after the alias is pointed at a new key; new ones use the new key", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const before = yield* cipher.encrypt(Redacted.make("pw-old-key"), context)
        const next = fake.createKey()
        fake.setAlias(FakeKms.ALIAS, next)
        const after = yield* cipher.encrypt(Redacted.make("pw-new-key"), context)
        assert.strictEqual(before.keyId, FakeKms.keyArn(fake.keyId))
        assert.strictEqual(after.keyId, FakeKms.keyArn(next))
        assert.strictEqual(Redacted.value(yield* cipher.decrypt(before, context)), "pw-old-key")
        assert.strictEqual(Redacted.value(yield* cipher.decrypt(after, context)), "pw-new-key")
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("a keyId naming another key is an IntegrityFailure; a key that does not exist is Unexpected", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-key-swap"), context)
        const other = FakeKms.keyArn(fake.createKey())
        const swapped = failureOf(yield* Effect.exit(cipher.decrypt(new EncryptedSecret({ ...secret, keyId: other }), context)))
        assert.strictEqual(swapped.reason._tag, "IntegrityFailure")
        const missing = new EncryptedSecret({ ...secret, keyId: FakeKms.keyArn("00000000-0000-0000-0000-000000000000") })
        const error = failureOf(yield* Effect.exit(cipher.decrypt(missing, context)))
        assert.strictEqual(error.reason._tag, "Unexpected")
        assert.strictEqual(error.reason.message, "KMS Decrypt failed: NotFoundException")
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("a key id, key ARN or alias ARN configures the cipher as well as the alias name", () =>
      Effect.gen(function*() {
        for (const keyId of [fake.keyId, FakeKms.keyArn(fake.keyId), FakeKms.aliasArn(FakeKms.ALIAS)]) {
          const secret = yield* SecretCipher.use((c) => c.encrypt(Redacted.make("pw-names"), context)).pipe(
            Effect.provide(KmsEnvelopeCipher.layer({ keyId, region: FakeKms.REGION }))
          )
          assert.strictEqual(secret.keyId, FakeKms.keyArn(fake.keyId))
          const back = yield* SecretCipher.use((c) => c.decrypt(secret, context)).pipe(Effect.provide(cipherLayer))
          assert.strictEqual(Redacted.value(back), "pw-names")
        }
        const calls = fake.stub.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input.KeyId)
        assert.deepStrictEqual(calls, [fake.keyId, FakeKms.keyArn(fake.keyId), FakeKms.aliasArn(FakeKms.ALIAS)])
      }))
  })

  describe("errors", () => {
    for (const [name, error, reason] of kmsFailures) {
      it.effect(`${name} from GenerateDataKey or Decrypt is ${reason}`, () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const secret = yield* cipher.encrypt(Redacted.make("pw-before-failure"), context)

          fake.stub.on(GenerateDataKeyCommand).rejects(error())
          const onEncrypt = failureOf(yield* Effect.exit(cipher.encrypt(Redacted.make("pw-mapped-1"), context)))
          fake.stub.on(DecryptCommand).rejects(error())
          const onDecrypt = failureOf(yield* Effect.exit(cipher.decrypt(secret, context)))

          for (const [failure, operation] of [[onEncrypt, "GenerateDataKey"], [onDecrypt, "Decrypt"]] as const) {
            assert.strictEqual(failure.reason._tag, reason)
            if (reason !== "IntegrityFailure") assert.match(failure.reason.message, new RegExp(`^KMS ${operation} failed: `))
            for (const text of textsOf(failure)) {
              assert.notInclude(text, "pw-vendor-text")
              assert.notInclude(text, "pw-mapped-1")
              assert.notInclude(text, "pw-before-failure")
            }
          }
        }).pipe(Effect.provide(cipherLayer)))
    }

    it.effect("an answer without a data key is Unexpected; a data key of the wrong size from Decrypt is an IntegrityFailure", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-shape"), context)
        fake.stub.on(GenerateDataKeyCommand).resolves({ KeyId: FakeKms.keyArn(fake.keyId), CiphertextBlob: new Uint8Array(8) })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.encrypt(Redacted.make("x"), context))).reason._tag, "Unexpected")
        fake.stub.on(GenerateDataKeyCommand).resolves({ CiphertextBlob: new Uint8Array(8), Plaintext: new Uint8Array(32) })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.encrypt(Redacted.make("x"), context))).reason._tag, "Unexpected")
        fake.stub.on(DecryptCommand).resolves({ KeyId: secret.keyId })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.decrypt(secret, context))).reason._tag, "Unexpected")
        const short = new Uint8Array(16).fill(7)
        fake.stub.on(DecryptCommand).resolves({ KeyId: secret.keyId, Plaintext: short })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.decrypt(secret, context))).reason._tag, "IntegrityFailure")
        assert.deepStrictEqual(short, new Uint8Array(16), "the refused key material is zeroed as well")
      }).pipe(Effect.provide(cipherLayer)))
  })

  describe("deadline", () => {
    for (const operation of ["GenerateDataKey", "Decrypt"] as const) {
      it.effect(`a hanging ${operation} fails with TimedOut at the configured deadline and is aborted`, () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const secret = yield* cipher.encrypt(Redacted.make("pw-hang"), context)
          const { hang, whenStarted } = hangingCall()
          const attempt: Effect.Effect<unknown, SecretCipherError> = operation === "Decrypt"
            ? cipher.decrypt(secret, context)
            : cipher.encrypt(Redacted.make("pw-hang"), context)
          if (operation === "Decrypt") fake.stub.on(DecryptCommand).callsFake(hang)
          else fake.stub.on(GenerateDataKeyCommand).callsFake(hang)
          const fiber = yield* Effect.forkChild(Effect.exit(attempt))
          yield* Effect.promise(() => whenStarted)
          yield* TestClock.adjust(249)
          assert.isUndefined(fiber.pollUnsafe(), "still waiting before the deadline")
          yield* TestClock.adjust(1)
          const error = failureOf(yield* Fiber.join(fiber))
          assert.strictEqual(error.reason._tag, "TimedOut")
          assert.strictEqual(error.reason.message, `KMS ${operation} did not answer within 250 ms`)
          const options = (fake.stub.send.lastCall.args as ReadonlyArray<unknown>)[1] as { abortSignal: AbortSignal }
          assert.isTrue(options.abortSignal.aborted, "the request is aborted")
        }).pipe(Effect.provide(KmsEnvelopeCipher.layer({ ...config, timeoutMillis: 250 }))))
    }
  })

  describe("secrets stay secret", () => {
    it.effect("the stored secret holds neither the plaintext nor the data key, in any encoding", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 4, maxLength: 64 }), async (s) => {
              fake.issued.length = 0
              const plaintext = `pw-7f3a-${s}`
              const secret = await Effect.runPromise(cipher.encrypt(Redacted.make(plaintext), context))
              const json = JSON.stringify(secret)
              const bytes = Buffer.from(plaintext, "utf8")
              for (const form of [plaintext, bytes.toString("base64"), bytes.toString("hex")]) assert.notInclude(json, form)
              const { bytes: dataKey } = fake.issued[0]!
              for (const form of [dataKey.toString("base64"), dataKey.toString("hex")]) assert.notInclude(json, form)
            }),
            { numRuns: 100 }
          )
        )
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("every data key KMS hands out is zeroed once used, on success and on refusal", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const secret = yield* cipher.encrypt(Redacted.make("pw-zero"), context)
        yield* cipher.decrypt(secret, context)
        const tampered = new EncryptedSecret({ ...secret, ciphertext: Buffer.alloc(32, 1).toString("base64") })
        assert.strictEqual(failureOf(yield* Effect.exit(cipher.decrypt(tampered, context))).reason._tag, "IntegrityFailure")
        assert.strictEqual(fake.issued.length, 3)
        for (const { bytes, handedOut } of fake.issued) {
          assert.isFalse(bytes.every((b) => b === 0), "the fake's copy is a real key")
          assert.deepStrictEqual(handedOut, new Uint8Array(32), "the adapter's copy is zeroed")
        }
      }).pipe(Effect.provide(cipherLayer)))

    it.effect("no error reveals the plaintext or a data key", () =>
      Effect.gen(function*() {
        const cipher = yield* SecretCipher
        const plaintext = "pw-never-in-errors"
        const secret = yield* cipher.encrypt(Redacted.make(plaintext), context)
        const errors: Array<SecretCipherError> = []
        for (const [secretTried, contextTried] of [
          [new EncryptedSecret({ ...secret, ciphertext: Buffer.alloc(40, 2).toString("base64") }), context],
          [secret, { ...context, userId: "u-2" }],
          [new EncryptedSecret({ ...secret, iv: Buffer.alloc(12).toString("base64") }), context]
        ] as const) {
          errors.push(failureOf(yield* Effect.exit(cipher.decrypt(secretTried, contextTried))))
        }
        for (const [, error] of kmsFailures) {
          fake.stub.on(DecryptCommand).rejects(error())
          errors.push(failureOf(yield* Effect.exit(cipher.decrypt(secret, context))))
        }
        const keys = fake.issued.map(({ bytes }) => bytes)
        for (const error of errors) {
          for (const text of textsOf(error)) {
            assert.notInclude(text, plaintext)
            for (const key of keys) {
              assert.notInclude(text, key.toString("base64"))
              assert.notInclude(text, key.toString("hex"))
            }
          }
        }
      }).pipe(Effect.provide(cipherLayer)))
  })

  describe("client and configuration", () => {
    it.effect("one KMS client per layer, in the configured region, destroyed with the layer", () =>
      Effect.gen(function*() {
        const destroy = vi.spyOn(KMSClient.prototype, "destroy")
        try {
          yield* Effect.gen(function*() {
            const cipher = yield* SecretCipher
            for (let i = 0; i < 3; i++) {
              const secret = yield* cipher.encrypt(Redacted.make(`pw-${i}`), context)
              yield* cipher.decrypt(secret, context)
            }
            const clients = new Set(fake.stub.send.thisValues as Array<KMSClient>)
            assert.strictEqual(clients.size, 1)
            const region = yield* Effect.promise(() => [...clients][0]!.config.region())
            assert.strictEqual(region, "ap-south-2")
            assert.strictEqual(destroy.mock.calls.length, 0)
          }).pipe(Effect.provide(KmsEnvelopeCipher.layer({ keyId: FakeKms.ALIAS, region: "ap-south-2" })))
          assert.strictEqual(destroy.mock.calls.length, 1)
        } finally {
          destroy.mockRestore()
        }
      }))

    const fromEnv = (env: Record<string, string>) =>
      KmsEnvelopeCipher.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env))))

    const regionOfLastCall = () =>
      Effect.promise(() => (fake.stub.send.lastCall.thisValue as KMSClient).config.region())

    it.effect("layerConfig reads KMS_KEY_ID, KMS_REGION (else AWS_REGION) and KMS_TIMEOUT_MS", () =>
      Effect.gen(function*() {
        const encrypt = SecretCipher.use((c) => c.encrypt(Redacted.make("pw-config"), context))

        const secret = yield* encrypt.pipe(Effect.provide(fromEnv({ KMS_KEY_ID: FakeKms.ALIAS, KMS_REGION: "eu-west-3", AWS_REGION: "us-east-1" })))
        assert.strictEqual(secret.keyId, FakeKms.keyArn(fake.keyId))
        assert.strictEqual(fake.stub.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input.KeyId, FakeKms.ALIAS)
        assert.strictEqual(yield* regionOfLastCall(), "eu-west-3")

        yield* encrypt.pipe(Effect.provide(fromEnv({ KMS_KEY_ID: FakeKms.ALIAS, AWS_REGION: "us-east-2" })))
        assert.strictEqual(yield* regionOfLastCall(), "us-east-2")

        const { hang, whenStarted } = hangingCall()
        fake.stub.on(GenerateDataKeyCommand).callsFake(hang)
        const fiber = yield* Effect.forkChild(Effect.exit(encrypt.pipe(
          Effect.provide(fromEnv({ KMS_KEY_ID: FakeKms.ALIAS, KMS_REGION: "eu-west-3", KMS_TIMEOUT_MS: "40" }))
        )))
        yield* Effect.promise(() => whenStarted)
        yield* TestClock.adjust(40)
        const error = failureOf(yield* Fiber.join(fiber))
        assert.strictEqual(error.reason.message, "KMS GenerateDataKey did not answer within 40 ms")
      }))

    it.effect("layerConfig fails with a ConfigError without KMS_KEY_ID, or with an empty one", () =>
      Effect.gen(function*() {
        for (const env of [{}, { KMS_KEY_ID: "" }, { KMS_KEY_ID: FakeKms.ALIAS, KMS_TIMEOUT_MS: "soon" }]) {
          const exit = yield* Effect.exit(Layer.build(fromEnv(env)).pipe(Effect.scoped))
          assert.isTrue(Exit.isFailure(exit))
        }
      }))
  })
})
