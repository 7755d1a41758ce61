/**
 * SecretCipherContract, unchanged, against the KMS adapter over the fake KMS (no KMS emulator
 * exists here; see FakeKms.ts). The key is named by its alias, as in production.
 */
import { SecretCipherContract } from "@app/domain/contract"
import { afterAll } from "vitest"
import { KmsEnvelopeCipher } from "../../src/kms/index.js"
import * as FakeKms from "./FakeKms.js"

const fake = FakeKms.install()
afterAll(() => fake.restore())

SecretCipherContract.suite("kms", KmsEnvelopeCipher.layer({ keyId: FakeKms.ALIAS, region: FakeKms.REGION }))
