/**
 * The KMS failure table beyond the exceptions the adapter tests inject: the generic signals
 * (HTTP status, the SDK's retryable trait) and what an error message may quote.
 */
import { assert, describe, it } from "@effect/vitest"
import { fromKmsError } from "../../src/kms/KmsFailure.js"

const withFields = (fields: Record<string, unknown>) => Object.assign(new Error("pw-vendor-text"), fields)

describe("KmsFailure.fromKmsError", () => {
  it("generic signals: 5xx and 429 and the retryable trait are Unavailable; other 4xx are Unexpected", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ name: "SomethingNew", $metadata: { httpStatusCode: 502 } }, "Unavailable"],
      [{ name: "SomethingNew", $metadata: { httpStatusCode: 429 } }, "Unavailable"],
      [{ name: "SomethingNew", $metadata: { httpStatusCode: 400 }, $retryable: { throttling: true } }, "Unavailable"],
      [{ name: "SomethingNew", $metadata: { httpStatusCode: 403 } }, "Unexpected"],
      [{ name: "LimitExceededException", $metadata: { httpStatusCode: 400 } }, "Unavailable"],
      [{ code: "EAI_AGAIN" }, "Unavailable"],
      [{ code: "EPIPE" }, "Unavailable"],
      [{ name: "RequestTimeoutException" }, "TimedOut"],
      [{ code: "ESOCKETTIMEDOUT" }, "TimedOut"],
      [{ name: "AbortError" }, "Unexpected"],
      [{ name: "CredentialsProviderError" }, "Unexpected"]
    ]
    for (const [fields, reason] of cases) {
      assert.strictEqual(fromKmsError("Decrypt", withFields(fields)).reason._tag, reason, JSON.stringify(fields))
    }
  })

  it("messages quote the operation and an identifier-like name and code only", () => {
    assert.strictEqual(
      fromKmsError("GenerateDataKey", withFields({ name: "Error", code: "ECONNRESET" })).reason.message,
      "KMS GenerateDataKey failed: Error ECONNRESET"
    )
    assert.strictEqual(
      fromKmsError("Decrypt", withFields({ name: "pw leaked in a name", code: 42 })).reason.message,
      "KMS Decrypt failed: unknown error"
    )
    assert.strictEqual(fromKmsError("Decrypt", null).reason.message, "KMS Decrypt failed: unknown error")
    assert.strictEqual(fromKmsError("Decrypt", undefined).reason._tag, "Unexpected")
  })
})
