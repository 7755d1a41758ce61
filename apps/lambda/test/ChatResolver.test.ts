/**
 * The AppSync resolver of Query.listMessages, Mutation.sendMessage and Subscription.onMessage on
 * DynamoDB Local, next to the REST functions of the same deployment (AUTH_MODE=cognito, so both
 * know callers by their Cognito identity): members send, read and subscribe, anyone else is
 * refused as for a room that does not exist, a repeated clientMessageId is one message, bad
 * arguments are a ValidationError naming each — and what the resolver stores is what the REST
 * route reads.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ChatResolver, functionGroups, type HttpHandler, makeChatResolver, makeHttpHandler, ResolverError } from "../src/index.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { createTables, dynamoEnvironment, fakeContext, LogCollector, testContainer, type WiredFunction } from "./support/LambdaTest.js"
import { httpApiEvent } from "./support/ProxyEvents.js"

interface Person {
  readonly sub: string
  readonly email: string
  readonly claims: Record<string, unknown>
}

const person = (name: string): Person => {
  const sub = randomUUID()
  const email = `${sub}@example.test`
  return { sub, email, claims: { sub, email, email_verified: "true", "cognito:username": name, token_use: "id" } }
}

let dynamo: DynamoDbLocal.DynamoDbLocal | undefined
let resolver: ChatResolver
let teams: HttpHandler
let chat: HttpHandler
const logs = new LogCollector()
const disposers: Array<() => Promise<void>> = []
const owner = person("owner")
const member = person("member")
const outsider = person("outsider")
const leaver = person("leaver")
let teamId = ""
let roomId = ""

const rest = async (handler: HttpHandler, who: Person, method: string, path: string, body?: unknown, query: Record<string, string> = {}) => {
  const result = await handler(
    httpApiEvent({
      method,
      path,
      query,
      claims: who.claims,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    }),
    fakeContext()
  )
  expect(result.statusCode, `${method} ${path}: ${result.body}`).toBeLessThan(300)
  return result.body === "" ? undefined : JSON.parse(result.body)
}

/** An AppSync direct Lambda resolver event, with a Cognito user pool identity unless `who` is null. */
const appSyncEvent = (parentTypeName: string, fieldName: string, args: Record<string, unknown>, who: Person | null) => ({
  arguments: args,
  identity: who === null
    ? null
    : {
      sub: who.sub,
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
      username: who.claims["cognito:username"],
      claims: who.claims,
      sourceIp: ["198.51.100.1"],
      defaultAuthStrategy: "ALLOW",
      groups: null
    },
  source: null,
  request: { headers: { "x-correlation-id": "appsync-corr" }, domainName: null },
  prev: null,
  info: { parentTypeName, fieldName, variables: {}, selectionSetList: [], selectionSetGraphQL: "" },
  stash: {}
})

const send = (who: Person | null, args: Record<string, unknown>) => resolver(appSyncEvent("Mutation", "sendMessage", args, who), fakeContext())
const list = (who: Person | null, args: Record<string, unknown>) => resolver(appSyncEvent("Query", "listMessages", args, who), fakeContext())
const subscribe = (who: Person | null, args: Record<string, unknown>) => resolver(appSyncEvent("Subscription", "onMessage", args, who), fakeContext())

/** The GraphQL error the resolver threw. */
const refusal = async (call: Promise<unknown>): Promise<ResolverError> => {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`)
    },
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ResolverError)
  return error as ResolverError
}

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
  const environment = { ...dynamoEnvironment(dynamo.endpoint), AUTH_MODE: "cognito" }
  await createTables(environment)
  const container = <N extends WiredFunction>(name: N) => {
    const made = testContainer(name, environment, { logs })
    disposers.push(() => made.dispose())
    return made
  }
  resolver = makeChatResolver(container("chatResolver"))
  teams = makeHttpHandler(functionGroups.teams, container("teams"))
  chat = makeHttpHandler(functionGroups.chat, container("chat"))

  teamId = (await rest(teams, owner, "POST", "/api/teams", { name: "resolver team" })).teamId
  for (const joining of [member, leaver]) {
    const invitation = await rest(teams, owner, "POST", `/api/teams/${teamId}/invite`, { email: joining.email, role: "member" })
    await rest(teams, joining, "POST", `/api/invitations/${invitation.invitationId}/accept`)
  }
  await rest(teams, outsider, "GET", `/api/users/${outsider.sub}/teams`)
  roomId = (await rest(chat, owner, "POST", "/api/chat/rooms", { teamId, name: "general" })).roomId
}, 90_000)

afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()))
  await dynamo?.stop()
})

const isoInstant = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)

describe("Mutation.sendMessage and Query.listMessages", () => {
  it("a member sends, and members read it back, through AppSync and through REST alike", async () => {
    const clientMessageId = randomUUID()
    const sent = await send(member, { roomId, body: "hello from AppSync", clientMessageId })
    expect(sent).toEqual({
      messageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      roomId,
      seq: expect.any(Number),
      senderId: member.sub,
      body: "hello from AppSync",
      clientMessageId,
      sentAt: isoInstant
    })
    const page = (await list(owner, { roomId, after: null, before: null, limit: 100 })) as { messages: Array<unknown>; nextCursor: number | null }
    expect(page.messages).toContainEqual(sent)
    expect(page.nextCursor).toBeNull()
    const viaRest = await rest(chat, owner, "GET", `/api/chat/rooms/${roomId}/messages`, undefined, { limit: "100" })
    expect(viaRest.messages).toContainEqual(sent)
  })

  it("the same clientMessageId twice is one message", async () => {
    const clientMessageId = randomUUID()
    const first = (await send(owner, { roomId, body: "once", clientMessageId })) as { messageId: string; seq: number }
    const again = (await send(owner, { roomId, body: "once", clientMessageId })) as { messageId: string; seq: number }
    expect(again).toEqual(first)
    const page = (await list(owner, { roomId, after: first.seq - 1 })) as { messages: Array<{ clientMessageId: string }> }
    expect(page.messages.filter((m) => m.clientMessageId === clientMessageId)).toHaveLength(1)
  })

  it("pages oldest first with after, like the REST route", async () => {
    const start = (await send(owner, { roomId, body: "page start", clientMessageId: randomUUID() })) as { seq: number }
    await send(member, { roomId, body: "page 2", clientMessageId: randomUUID() })
    await send(member, { roomId, body: "page 3", clientMessageId: randomUUID() })
    const page = (await list(member, { roomId, after: start.seq - 1, limit: 2 })) as { messages: Array<{ body: string }>; nextCursor: number }
    expect(page.messages.map((m) => m.body)).toEqual(["page start", "page 2"])
    expect(page.nextCursor).toBe(start.seq + 1)
  })

  it("refuses a non-member as for a room that does not exist: NotFound, never the room", async () => {
    const sending = await refusal(send(outsider, { roomId, body: "let me in", clientMessageId: randomUUID() }))
    expect(sending).toMatchObject({ name: "NotFound", message: "room not found" })
    expect((await refusal(list(outsider, { roomId }))).name).toBe("NotFound")
    expect((await refusal(list(member, { roomId: "01J00000000000000000000000" }))).name).toBe("NotFound")
  })

  it("refuses bad arguments with a ValidationError naming each", async () => {
    const sending = await refusal(send(member, { roomId, body: "   ", clientMessageId: "has spaces" }))
    expect(sending.name).toBe("ValidationError")
    expect(sending.message).toMatch(/^invalid arguments: /)
    expect(sending.message).toContain("body")
    expect(sending.message).toContain("clientMessageId")
    const listing = await refusal(list(member, { roomId, limit: 0, after: -1 }))
    expect(listing.name).toBe("ValidationError")
    expect(listing.message).toContain("limit")
    expect(listing.message).toContain("after")
    expect((await refusal(send(member, {}))).message).toContain("roomId")
  })

  it("refuses a call without a Cognito identity, or with claims that make none", async () => {
    expect(await refusal(list(null, { roomId }))).toMatchObject({ name: "Unauthorized" })
    const noEmail = { sub: randomUUID(), email: "", claims: { sub: randomUUID(), token_use: "access" } }
    expect(await refusal(list(noEmail, { roomId }))).toMatchObject({ name: "Unauthorized", message: "the identity has no email claim" })
  })

  it("refuses fields it does not resolve and events that are not AppSync's", async () => {
    const other = await refusal(resolver(appSyncEvent("Mutation", "deleteRoom", { roomId }, owner), fakeContext()))
    expect(other).toMatchObject({ name: "ValidationError" })
    expect(other.message).toContain("info.fieldName")
    expect((await refusal(resolver("not an event", fakeContext()))).message).toContain("info")
  })

  it("logs each call with the AWS request id, the correlation id and the field, never a body", async () => {
    const context = fakeContext()
    await resolver(appSyncEvent("Mutation", "sendMessage", { roomId, body: "secret-ish words", clientMessageId: randomUUID() }, member), context)
    const line = logs.records().find((r) => r["awsRequestId"] === context.awsRequestId)
    expect(line).toMatchObject({ function: "chatResolver", correlationId: "appsync-corr", field: "Mutation.sendMessage", outcome: "ok" })
    expect(logs.text).not.toContain("secret-ish words")
  })
})

describe("Subscription.onMessage: who may subscribe to a room", () => {
  it("lets a member of the room's team subscribe: null, so AppSync keeps the subscription", async () => {
    expect(await subscribe(member, { roomId })).toBeNull()
    expect(await subscribe(owner, { roomId })).toBeNull()
  })

  it("refuses a non-member as for a room that does not exist: NotFound, never the room", async () => {
    expect(await refusal(subscribe(outsider, { roomId }))).toMatchObject({ name: "NotFound", message: "room not found" })
    expect(await refusal(subscribe(member, { roomId: "01J00000000000000000000000" }))).toMatchObject({ name: "NotFound", message: "room not found" })
  })

  it("asks the rule when subscribing: a member removed from the team is refused from then on", async () => {
    expect(await subscribe(leaver, { roomId })).toBeNull()
    await rest(teams, owner, "DELETE", `/api/teams/${teamId}/members/${leaver.sub}`)
    expect(await refusal(subscribe(leaver, { roomId }))).toMatchObject({ name: "NotFound" })
  })

  it("refuses a subscription without a Cognito identity, or with claims that make none", async () => {
    expect(await refusal(subscribe(null, { roomId }))).toMatchObject({ name: "Unauthorized" })
    const noEmail = { sub: randomUUID(), email: "", claims: { sub: randomUUID(), token_use: "access" } }
    expect(await refusal(subscribe(noEmail, { roomId }))).toMatchObject({ name: "Unauthorized", message: "the identity has no email claim" })
  })

  it("refuses a bad or missing roomId with a ValidationError naming it", async () => {
    for (const args of [{ roomId: "not a room id" }, { roomId: 42 }, {}, { roomId: null }]) {
      const refused = await refusal(subscribe(member, args))
      expect(refused.name, JSON.stringify(args)).toBe("ValidationError")
      expect(refused.message, JSON.stringify(args)).toMatch(/^invalid arguments: roomId /)
    }
  })

  it("logs the subscription check like any call", async () => {
    const context = fakeContext()
    await resolver(appSyncEvent("Subscription", "onMessage", { roomId }, outsider), context).catch(() => undefined)
    const line = logs.records().find((r) => r["awsRequestId"] === context.awsRequestId && r["outcome"] !== undefined)
    expect(line).toMatchObject({ function: "chatResolver", field: "Subscription.onMessage", outcome: "NotFound" })
  })
})
