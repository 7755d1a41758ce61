/**
 * Chat over AppSync: a direct Lambda resolver for `Query.listMessages`, `Mutation.sendMessage` and
 * `Subscription.onMessage` (schema.graphql attaches onMessage(roomId) to sendMessage, so AppSync
 * fans every sent message out to the room's subscribers). All run the same Chat use case as the
 * REST routes — membership rules (a non-member, or a room that does not exist, is NotFound),
 * idempotency by clientMessageId — and answer the REST routes' JSON shapes:
 *
 *   type Message { messageId: ID!  roomId: ID!  seq: Int!  senderId: ID!  body: String!
 *                  clientMessageId: ID!  sentAt: AWSDateTime! }
 *   type MessagePage { messages: [Message!]!  nextCursor: Int }
 *   listMessages(roomId: ID!, before: Int, after: Int, limit: Int): MessagePage!
 *   sendMessage(roomId: ID!, body: String!, clientMessageId: ID!): Message!
 *   onMessage(roomId: ID!): Message
 *
 * onMessage is resolved once, when a client subscribes: without a resolver AppSync would let any
 * signed-in user follow any room. It answers null when the caller may read the room (AppSync then
 * keeps the subscription, and delivers the sendMessage results whose roomId is its argument) and
 * refuses it otherwise, as listMessages would. Membership is checked then only: someone removed
 * from the team keeps a subscription already open until it ends.
 *
 * The caller comes from the Cognito user pool identity AppSync passes (`identity.claims`, with
 * `identity.sub` / `identity.username` as fallbacks), provisioned on first sight like the REST
 * functions' AUTH_MODE=cognito. A refusal is thrown as an Error whose `name` is the GraphQL
 * errorType (Lambda reports it as `errorType`, AppSync puts it in `errors[]`): ValidationError
 * (naming each bad argument), Unauthorized, NotFound, Conflict, ServiceUnavailable, InternalError
 * — the same classes as the REST problems, never internals (those are logged).
 */
import { actorFromClaims, ChatRoutes, fromFailure } from "@app/api"
import { type Auth, Chat, decodeInput, ListMessagesInput, RoomId, SendMessageInput, Unauthenticated, ValidationError } from "@app/domain"
import { Cause, Effect, Exit, Schema } from "effect"
import { type Container, ContainerInitError, makeContainer } from "./Container.js"
import { awsRequestIdOf, correlationIdOf, type InvocationContext } from "./Invocation.js"
import * as FunctionWiring from "./FunctionWiring.js"
import { functionLayer } from "./LambdaLayer.js"

/** A refusal AppSync shows the client: `name` is the GraphQL errorType. */
export class ResolverError extends Error {
  constructor(errorType: string, message: string) {
    super(message)
    this.name = errorType
  }
}

export type ChatResolver = (event: unknown, context?: InvocationContext) => Promise<unknown>

const ListMessagesArguments = Schema.Struct({ roomId: RoomId, ...ListMessagesInput.fields })
const SendMessageArguments = Schema.Struct({ roomId: RoomId, ...SendMessageInput.fields })
const OnMessageArguments = Schema.Struct({ roomId: RoomId })

const decodeListArguments = decodeInput(ListMessagesArguments)
const decodeSendArguments = decodeInput(SendMessageArguments)
const decodeOnMessageArguments = decodeInput(OnMessageArguments)
const encodePage = Schema.encodeUnknownEffect(ChatRoutes.MessagePageBody)
const encodeMessage = Schema.encodeUnknownEffect(ChatRoutes.ChatMessageBody)

type Json = Readonly<Record<string, unknown>>
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** GraphQL sends an omitted nullable argument as absent or as null: both mean "not given". */
const givenArguments = (value: unknown): Json =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) : {}

/** The claims of AppSync's Cognito identity, with its own sub/username filling what the claims lack. */
const claimsOf = (identity: unknown): Json | undefined => {
  if (!isRecord(identity)) return undefined
  const claims = isRecord(identity["claims"]) ? identity["claims"] : {}
  const sub = claims["sub"] ?? identity["sub"]
  const username = claims["cognito:username"] ?? identity["username"]
  return {
    ...claims,
    ...(sub === undefined ? {} : { sub }),
    ...(username === undefined ? {} : { "cognito:username": username })
  }
}

/** The REST problem's status as a GraphQL errorType. */
const errorTypes: Record<number, string> = {
  400: "ValidationError",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  410: "Gone",
  429: "TooManyRequests",
  503: "ServiceUnavailable"
}

/** A failure of the use case as the error AppSync shows: the REST mapping (fromFailure), as GraphQL. */
const resolverErrorOf = (error: unknown): ResolverError => {
  const { problem } = fromFailure(error)
  const errorType = errorTypes[problem.status] ?? "InternalError"
  if (problem.status === 400 && problem.errors !== undefined && problem.errors.length > 0) {
    return new ResolverError(errorType, `invalid arguments: ${problem.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`)
  }
  return new ResolverError(errorType, errorType === "InternalError" ? "internal error" : problem.detail ?? problem.title)
}

const invalidEvent = (path: string, message: string) => ValidationError.single(path, message)

const unauthorized = new Unauthenticated({
  code: "MissingIdentity",
  message: "no Cognito identity: the API must use user pool authorization"
})

/** The schema fields this function resolves (the template attaches a resolver to each root field of schema.graphql). */
export const resolvedFields = ["Query.listMessages", "Mutation.sendMessage", "Subscription.onMessage"] as const

/** Runs one resolver event; fails with what the client should see. */
const resolve = (event: unknown) =>
  Effect.gen(function*() {
    if (!isRecord(event) || !isRecord(event["info"])) return yield* invalidEvent("info", "is required (an AppSync resolver event)")
    const info = event["info"]
    const field = `${String(info["parentTypeName"])}.${String(info["fieldName"])}`
    const claims = claimsOf(event["identity"])
    if (!(resolvedFields as ReadonlyArray<string>).includes(field)) {
      return yield* invalidEvent("info.fieldName", `${field} is not resolved by this function`)
    }
    // As in the REST routes: who is calling first, then the arguments.
    if (claims === undefined) return yield* unauthorized
    const actor = yield* actorFromClaims(claims)
    const args = givenArguments(event["arguments"])
    if (field === "Query.listMessages") {
      const { roomId, ...query } = yield* decodeListArguments(args)
      const page = yield* Chat.use((chat) => chat.listMessages(actor, roomId, query))
      return yield* encodePage(page)
    }
    if (field === "Subscription.onMessage") {
      const { roomId } = yield* decodeOnMessageArguments(args)
      // Whoever may read the room's history may follow it: the use case's own rule, asked by
      // reading its newest message (its NotFound is the refusal), not a copy of it here.
      yield* Chat.use((chat) => chat.listMessages(actor, roomId, { limit: 1 }))
      return null
    }
    const { roomId, ...message } = yield* decodeSendArguments(args)
    const sent = yield* Chat.use((chat) => chat.send(actor, roomId, message))
    return yield* encodeMessage(sent.message)
  })

const fieldOf = (event: unknown): string => {
  const info = isRecord(event) && isRecord(event["info"]) ? event["info"] : {}
  return `${String(info["parentTypeName"] ?? "?")}.${String(info["fieldName"] ?? "?")}`
}

const headersOf = (event: unknown): Readonly<Record<string, string>> => {
  const request = isRecord(event) && isRecord(event["request"]) ? event["request"] : {}
  const headers = isRecord(request["headers"]) ? request["headers"] : {}
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === "string").map(([k, v]) => [k.toLowerCase(), v])
  )
}

/** What a resolver's runtime must provide: Chat, and Auth to provision the Cognito caller. */
export type ChatResolverServices = Chat | Auth

export const makeChatResolver = (container: Container<ChatResolverServices>): ChatResolver => async (event, context) => {
  const started = performance.now()
  const awsRequestId = awsRequestIdOf(context)
  const ids = { awsRequestId, correlationId: correlationIdOf({ headers: headersOf(event) }, undefined, awsRequestId) }
  const field = fieldOf(event)
  const finish = (outcome: string) =>
    container.log().write(outcome === "ok" ? "INFO" : outcome === "InternalError" ? "ERROR" : "WARN", "resolver", {
      ...ids,
      field,
      outcome,
      durationMs: Math.round((performance.now() - started) * 10) / 10
    })
  let runtime
  try {
    runtime = await container.runtime()
  } catch (error) {
    finish("InternalError")
    if (error instanceof ContainerInitError) throw new ResolverError("InternalError", "internal error")
    throw error
  }
  const exit = await runtime.runPromiseExit(resolve(event).pipe(Effect.annotateLogs(ids)))
  if (Exit.isSuccess(exit)) {
    finish("ok")
    return exit.value
  }
  const failure = Cause.findErrorOption(exit.cause)
  const error = failure._tag === "Some" ? resolverErrorOf(failure.value) : new ResolverError("InternalError", "internal error")
  if (error.name === "InternalError" || error.name === "ServiceUnavailable") {
    const detail = failure._tag === "Some" ? describe(failure.value) : Cause.pretty(exit.cause)
    container.log().write("ERROR", "resolver failed", { ...ids, field, error: detail })
  }
  finish(error.name)
  throw error
}

/** A port error's tag and reason, never its payload. */
const describe = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const tag = (error as { _tag?: unknown })._tag
  const reason = (error as { reason?: { _tag?: unknown } }).reason?._tag
  return [tag, reason].filter((x) => typeof x === "string").join(": ") || "unknown failure"
}

/** The deployed resolver's handler: its own wiring (FunctionWiring.chatResolver), on DynamoDB. */
export const chatResolverFunction = (): ChatResolver =>
  makeChatResolver(makeContainer({ functionName: "chatResolver", layer: (config) => functionLayer(config, FunctionWiring.chatResolver) }))
