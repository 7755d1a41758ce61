/**
 * The benchmark's second reference: the least a function written with Effect can be — the
 * baseline's DynamoDB client, built in a Layer of a ManagedRuntime on the first invocation, and a
 * body decoded with a Schema whose failure is a Schema tagged error. Every function here has at
 * least this, so its ratio to the SDK-only baseline is the floor of theirs: how much of a
 * function's cold import is Effect itself, and how much is the function's own code.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { Context, Effect, Layer, ManagedRuntime, Schema } from "effect"

class InvalidBody extends Schema.TaggedError<InvalidBody>()("InvalidBody", { message: Schema.String }) {}

const Body = Schema.Struct({ name: Schema.String.check(Schema.isMinLength(1)), count: Schema.Number })

class Dynamo extends Context.Service<Dynamo, { readonly client: DynamoDBClient }>()("bench/Dynamo") {}

// The region from AWS_REGION, which Lambda sets.
const dynamo = Layer.sync(Dynamo, () => Dynamo.of({ client: new DynamoDBClient({}) }))

let runtime: ManagedRuntime.ManagedRuntime<Dynamo, never> | undefined

export const handler = (event: unknown) =>
  (runtime ??= ManagedRuntime.make(dynamo)).runPromise(
    Effect.gen(function*() {
      const body = yield* Schema.decodeUnknownEffect(Body)(event).pipe(Effect.mapError(() => new InvalidBody({ message: "bad body" })))
      const { client } = yield* Dynamo
      const region = yield* Effect.promise(() => client.config.region())
      return { statusCode: 200, body: JSON.stringify({ ...body, region }) }
    })
  )
