import { SecretCipherContract } from "../../src/Secrets/contract/index.js"
import { layerTest } from "../../src/node/LocalEnvelopeCipher.js"

SecretCipherContract.suite("local envelope cipher", layerTest)
