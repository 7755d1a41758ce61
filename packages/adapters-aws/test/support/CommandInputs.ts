/**
 * The inputs of the commands an effect makes the DynamoClient send, as the SDK is handed them (at
 * the first middleware step): for tests that check what a request asks DynamoDB for — an index, a
 * projection — beyond which command it is.
 */
import { Effect } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"

let probes = 0

/** Runs `effect` and answers its result with the inputs it sent, in order; the probe goes with it. */
export const inputsOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const client = yield* DynamoClient
    const sent: Array<Record<string, unknown>> = []
    const name = `commandInputsProbe${probes++}`
    client.raw.middlewareStack.add(
      (next) => async (args) => {
        sent.push(args.input as Record<string, unknown>)
        return next(args)
      },
      { step: "initialize", name }
    )
    const result = yield* effect.pipe(Effect.ensuring(Effect.sync(() => client.raw.middlewareStack.remove(name))))
    return { result, sent }
  })
