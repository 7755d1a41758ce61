/**
 * What every use case costs on DynamoDB, measured: the whole product (the domain's InProcess over
 * AwsStores on DynamoDB Local, the in-memory buses and fake ad platform) runs each use case in a
 * realistic state — a team of two, a room with messages, a device with readings — and the client
 * middleware's record of the commands it sent is asserted exactly: command and tables, in order
 * where the order is fixed, as an interleaving of branches where calls run in parallel. A change
 * in cost fails here, and so does a Scan anywhere.
 *
 * The table of README.md is RoundTrips.md next to this file, rendered from these rows: the last
 * test fails when the file differs from what was measured (`UPDATE_ROUND_TRIPS=1` rewrites it), so
 * the documented costs cannot drift from the code.
 */
import {
  AccountId,
  type Actor,
  Auth,
  AuthConfig,
  type AuthSession,
  CampaignId,
  Campaigns,
  ChangeRoleInput,
  Chat,
  CreateConfigInput,
  CreateDeviceInput,
  CreateRoomInput,
  CreateTeamInput,
  decodeInput,
  ExternalIdentity,
  IngestInput,
  InviteInput,
  ListMessagesInput,
  LoginInput,
  Platform,
  PlatformConfigs,
  PlatformCredentials,
  PutCredentialsInput,
  QrExchangeInput,
  QrInitInput,
  QrLogin,
  QrLoginConfig,
  QrScanInput,
  QueryInput,
  RateLimiter,
  RefreshInput,
  RemoteCampaign,
  SendMessageInput,
  Sensors,
  SignupInput,
  SyncLock,
  syncLockKey,
  type TeamId,
  Teams,
  TransferInput,
  UpdateConfigInput,
  UpdateUserInput,
  Users
} from "@app/domain"
import { CampaignSourceMemory, ChatBusMemory, QrEventsMemory, SensorBusMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { assert, layer } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer, Option, Stream } from "effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll } from "vitest"
import * as AwsStores from "../../src/AwsStores.js"
import type { RecordedCommand } from "../../src/dynamodb/CommandRecorder.js"
import * as DynamoTest from "../support/DynamoTest.js"

const dynamo = DynamoTest.make()
const { recorder } = dynamo

const product = InProcess.make({
  stores: Layer.mergeAll(
    AwsStores.make(dynamo.layer),
    ChatBusMemory.layer,
    QrEventsMemory.layer,
    SensorBusMemory.layer,
    CampaignSourceMemory.layer
  ),
  authConfig: AuthConfig.layerTest(),
  cipher: LocalEnvelopeCipher.layerTest,
  passwordHasher: ScryptPasswordHasher.layerTest
})

/** The commands a request path may send: never a Scan (the recorder refuses one anyway). */
const KEYED_COMMANDS = new Set([
  "GetItem",
  "BatchGetItem",
  "Query",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems"
])

/** Every command a measured use case sent. */
const measured: Array<RecordedCommand> = []

afterAll(() => {
  assert.deepStrictEqual(recorder.all().filter((c) => c.command === "Scan"), [])
  assert.deepStrictEqual(measured.filter((c) => !KEYED_COMMANDS.has(c.command)), [])
})

// ---------------------------------------------------------------------------------------------
// Expected costs: a command is "<Command> <table>[+<table>…]", tables as the recorder names them.

type Command = string

/** Branches that run at once: each in its own order, interleaved any way. */
interface Parallel {
  readonly branches: ReadonlyArray<ReadonlyArray<Command>>
}

type Step = Command | Parallel

const getItem = (table: string): Command => `GetItem ${table}`
const batchGet = (table: string): Command => `BatchGetItem ${table}`
const query = (table: string): Command => `Query ${table}`
const putItem = (table: string): Command => `PutItem ${table}`
const updateItem = (table: string): Command => `UpdateItem ${table}`
const deleteItem = (table: string): Command => `DeleteItem ${table}`
const batchWrite = (table: string): Command => `BatchWriteItem ${table}`
const transact = (...tables: ReadonlyArray<string>): Command => `TransactWriteItems ${[...tables].sort().join("+")}`

const inParallel = (...branches: ReadonlyArray<Command | ReadonlyArray<Command>>): Parallel => ({
  branches: branches.map((branch) => (typeof branch === "string" ? [branch] : branch))
})

/** `n` copies of one branch. */
const times = (n: number, branch: Command | ReadonlyArray<Command>): ReadonlyArray<Command | ReadonlyArray<Command>> =>
  Array.from({ length: n }, () => branch)

const shown = (recorded: RecordedCommand): Command => `${recorded.command} ${[...recorded.tables].sort().join("+")}`

const sameBranch = (a: ReadonlyArray<Command>, b: ReadonlyArray<Command>) =>
  a.length === b.length && a.every((command, i) => command === b[i])

/** Whether `slice` is an interleaving of `branches`, each kept in its order. */
const interleaves = (slice: ReadonlyArray<Command>, branches: ReadonlyArray<ReadonlyArray<Command>>): boolean => {
  const positions = branches.map(() => 0)
  const go = (i: number): boolean => {
    if (i === slice.length) return positions.every((p, b) => p === branches[b]!.length)
    for (let b = 0; b < branches.length; b++) {
      const branch = branches[b]!
      if (branch[positions[b]!] !== slice[i]) continue
      // Identical branches at the same position are interchangeable: try only the first of them.
      if (branches.some((other, o) => o < b && positions[o] === positions[b] && sameBranch(other, branch))) continue
      positions[b]!++
      if (go(i + 1)) return true
      positions[b]!--
    }
    return false
  }
  return go(0)
}

const conforms = (recorded: ReadonlyArray<Command>, steps: ReadonlyArray<Step>): boolean => {
  let i = 0
  for (const step of steps) {
    if (typeof step === "string") {
      if (recorded[i] !== step) return false
      i++
      continue
    }
    const size = step.branches.reduce((n, branch) => n + branch.length, 0)
    if (!interleaves(recorded.slice(i, i + size), step.branches)) return false
    i += size
  }
  return i === recorded.length
}

const commandCount = (steps: ReadonlyArray<Step>) =>
  steps.reduce((n, step) => n + (typeof step === "string" ? 1 : step.branches.reduce((m, b) => m + b.length, 0)), 0)

const renderBranch = (branch: ReadonlyArray<Command>) => branch.join(" → ")

const renderStep = (step: Step): string => {
  if (typeof step === "string") return step
  const [first, ...rest] = step.branches
  if (first !== undefined && rest.every((branch) => sameBranch(branch, first))) {
    const one = first.length === 1 ? first[0]! : `(${renderBranch(first)})`
    return `[${step.branches.length} × ${one} in parallel]`
  }
  return `[${step.branches.map(renderBranch).join(" ∥ ")}]`
}

const renderSteps = (steps: ReadonlyArray<Step>) =>
  steps.length === 0 ? "0: none" : `${commandCount(steps)}: ${steps.map(renderStep).join(" → ")}`

// ---------------------------------------------------------------------------------------------
// Measuring

interface Row {
  readonly useCase: string
  readonly steps: ReadonlyArray<Step>
  readonly notes: string
}

const rows: Array<Row> = []

/**
 * Runs `effect` and asserts the commands it sent are exactly `steps`; the row joins the table.
 * Everything the effect sends counts, so it must be the use case call alone.
 */
const cost = <A, E, R>(
  useCase: string,
  steps: ReadonlyArray<Step>,
  notes: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    recorder.take()
    const result = yield* effect
    const taken = recorder.takeDetailed()
    measured.push(...taken)
    const recorded = taken.map(shown)
    assert.isTrue(
      conforms(recorded, steps),
      `${useCase}\n  expected: ${renderSteps(steps)}\n  recorded: ${recorded.length}: ${recorded.join(" → ")}`
    )
    assert.isFalse(rows.some((row) => row.useCase === useCase), `${useCase} is measured twice`)
    rows.push({ useCase, steps, notes })
    return result
  })

/** The refusal `effect` ends in, checked to be `tag` with `code` (or, for NotFound, `resource`). */
const refusal = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>, tag: string, code: string) =>
  Effect.flip(effect).pipe(
    Effect.tap((error) =>
      Effect.sync(() => {
        const fields = error as { readonly code?: string; readonly resource?: string }
        assert.deepStrictEqual([error._tag, fields.code ?? fields.resource], [tag, code])
      })
    ),
    Effect.asVoid
  )

/** Waits until `n` more commands than `before` have been recorded (a background stream's reads). */
const recordedSince = (before: number, n: number) =>
  Effect.gen(function*() {
    for (let waited = 0; recorder.all().length - before < n; waited += 10) {
      if (waited > 20_000) return assert.fail(`expected ${n} commands, saw ${recorder.all().length - before}`)
      yield* Effect.sleep("10 millis")
    }
  })

/** Runs `stream` in the background until it has sent `n` commands, then stops it. */
const untilSent = <A, E, R>(n: number, stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const before = recorder.all().length
    const fiber = yield* Effect.forkChild(Stream.runDrain(stream))
    yield* recordedSince(before, n)
    yield* Fiber.interrupt(fiber)
  })

// ---------------------------------------------------------------------------------------------
// Fixtures (their own commands are taken away by the next `cost`)

const body = <S extends Parameters<typeof decodeInput>[0]>(schema: S, input: unknown) => decodeInput(schema)(input)

const password = "Correct-Horse-7"
let serial = 0
const freshEmail = (name: string) => `${name}-${(serial++).toString(36)}@example.com`

interface Person {
  readonly actor: Actor
  readonly email: string
  readonly session: AuthSession
}

const signUp = (name: string) =>
  Effect.gen(function*() {
    const auth = yield* Auth
    const email = freshEmail(name.toLowerCase())
    const session = yield* auth.signup(yield* body(SignupInput, { email, password, name }))
    return { actor: yield* auth.verify(session.tokens.accessToken), email, session } satisfies Person
  })

/** A new team of `owner`, which each of `members` joins as a member by invitation. */
const teamOf = (owner: Person, ...members: ReadonlyArray<Person>) =>
  Effect.gen(function*() {
    const teams = yield* Teams
    const team = yield* teams.create(owner.actor, yield* body(CreateTeamInput, { name: "Growth" }))
    for (const member of members) {
      const invitation = yield* teams.invite(owner.actor, team.teamId, yield* body(InviteInput, { email: member.email, role: "member" }))
      yield* teams.accept(member.actor, invitation.invitationId)
    }
    return team.teamId
  })

const google = decodeInput(Platform)("google")

// ---------------------------------------------------------------------------------------------

layer(product, { excludeTestServices: true, timeout: "120 seconds" })("round trips per use case", (it) => {
  it.effect("Auth", () =>
    Effect.gen(function*() {
      const auth = yield* Auth
      const email = freshEmail("alice")
      const signedUp = yield* cost(
        "Auth.signup",
        [transact("users"), transact("refresh-families", "refresh-tokens")],
        "the user and its email guard in one transaction, then the session: refresh family and first token in one transaction",
        Effect.flatMap(body(SignupInput, { email, password, name: "Alice" }), auth.signup)
      )
      yield* cost(
        "Auth.signup (email taken)",
        [transact("users")],
        "the transaction's condition on the email guard refuses it: Conflict EmailTaken",
        refusal(Effect.flatMap(body(SignupInput, { email, password, name: "Eve" }), auth.signup), "Conflict", "EmailTaken")
      )
      const loggedIn = yield* cost(
        "Auth.login",
        [getItem("users"), getItem("users"), transact("refresh-families", "refresh-tokens")],
        "email guard, then the user (both strongly consistent), then a new session",
        Effect.flatMap(body(LoginInput, { email, password }), auth.login)
      )
      yield* cost(
        "Auth.login (wrong password)",
        [getItem("users"), getItem("users")],
        "Unauthenticated InvalidCredentials",
        refusal(
          Effect.flatMap(body(LoginInput, { email, password: "Wrong-Horse-7" }), auth.login),
          "Unauthenticated",
          "InvalidCredentials"
        )
      )
      yield* cost(
        "Auth.login (unknown email)",
        [getItem("users")],
        "no guard, so no user read; the password is still verified against a dummy hash (same time as a wrong password)",
        refusal(
          Effect.flatMap(body(LoginInput, { email: freshEmail("nobody"), password }), auth.login),
          "Unauthenticated",
          "InvalidCredentials"
        )
      )
      yield* cost(
        "Auth.verify",
        [],
        "the access token (JWT) is checked in process",
        auth.verify(loggedIn.tokens.accessToken)
      )

      const original = (yield* body(RefreshInput, { refreshToken: loggedIn.tokens.refreshToken })).refreshToken
      const rotated = yield* cost(
        "Auth.refresh",
        [getItem("refresh-tokens"), getItem("refresh-families"), transact("refresh-families", "refresh-tokens"), getItem("users")],
        "lookup (token, then its family); rotate is one transaction given the token as looked up (it re-checks family, user, expiry, not rotated, family alive); " +
          "the user for the access token. " +
          "Losing a race to a parallel refresh of the same token: +1 TransactWriteItems (refused), then it is answered as a replay (+5)",
        auth.refresh(original)
      )
      yield* cost(
        "Auth.refresh (replay within the grace window)",
        [getItem("refresh-tokens"), getItem("refresh-families"), getItem("refresh-tokens"), getItem("refresh-families"), getItem("users")],
        "the replayed token, then its child (the family's current token); +2 GetItem per further hop of the chain",
        auth.refresh(original)
      )

      // The same use case with no grace window: a replay revokes the family.
      const strict = Layer.fresh(Auth.layer).pipe(Layer.provide(AuthConfig.layerTest({ refreshGraceMillis: 0 })))
      const other = yield* auth.login(yield* body(LoginInput, { email, password }))
      const replayed = (yield* body(RefreshInput, { refreshToken: other.tokens.refreshToken })).refreshToken
      yield* auth.refresh(replayed)
      yield* cost(
        "Auth.refresh (replay after the grace window)",
        [getItem("refresh-tokens"), getItem("refresh-families"), updateItem("refresh-families")],
        "the family is revoked: Unauthenticated RefreshTokenReused",
        refusal(Auth.use((strictAuth) => strictAuth.refresh(replayed)), "Unauthenticated", "RefreshTokenReused")
          .pipe(Effect.provide(strict))
      )

      const current = (yield* body(RefreshInput, { refreshToken: rotated.refreshToken })).refreshToken
      yield* cost(
        "Auth.logout",
        [getItem("refresh-tokens"), getItem("refresh-families"), updateItem("refresh-families")],
        "lookup, then the family's revokedAt (conditional: the first revocation stays); an unknown token: 1 GetItem",
        auth.logout(current)
      )
      yield* cost(
        "Auth.refresh (after logout)",
        [getItem("refresh-tokens"), getItem("refresh-families")],
        "Unauthenticated RefreshTokenRevoked",
        refusal(auth.refresh(current), "Unauthenticated", "RefreshTokenRevoked")
      )

      const identity = yield* body(ExternalIdentity, { sub: `cognito-${serial++}`, email: freshEmail("cognito"), name: "Cora" })
      yield* cost(
        "Auth.provisionExternal (first sight)",
        [getItem("users"), transact("users")],
        "a racing first sight of the same sub: +1 GetItem (the winner's user)",
        auth.provisionExternal(identity)
      )
      yield* cost("Auth.provisionExternal (known user)", [getItem("users")], "", auth.provisionExternal(identity))
      assert.strictEqual(signedUp.user.email, email)
    }))

  it.effect("Users", () =>
    Effect.gen(function*() {
      const users = yield* Users
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const stranger = yield* signUp("Sam")
      yield* teamOf(alice, bob)

      yield* cost("Users.me", [getItem("users")], "", users.me(alice.actor))
      yield* cost("Users.get (self)", [getItem("users")], "", users.get(alice.actor, alice.actor.userId))
      const seen = yield* cost(
        "Users.get (a teammate)",
        [inParallel(...times(2, [query("teams"), batchGet("teams")])), getItem("users")],
        "both users' teams at once (memberUserId-index, then the team and membership items, consistent), then the user; " +
          "+1 BatchGetItem per further 50 teams of a user",
        users.get(alice.actor, bob.actor.userId)
      )
      assert.deepStrictEqual(Object.keys(seen).sort(), ["name", "userId"])
      yield* cost(
        "Users.get (not a teammate)",
        [inParallel([query("teams"), batchGet("teams")], [query("teams")])],
        "NotFound user; a user without teams costs only the index Query",
        refusal(users.get(alice.actor, stranger.actor.userId), "NotFound", "user")
      )
      yield* cost(
        "Users.update",
        [updateItem("users")],
        "conditioned on the user existing; answers the new item",
        Effect.flatMap(body(UpdateUserInput, { name: "Alice A.", profile: { bio: "growth" } }), (input) =>
          users.update(alice.actor, alice.actor.userId, input))
      )
    }))

  it.effect("Teams", () =>
    Effect.gen(function*() {
      const teams = yield* Teams
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const carol = yield* signUp("Carol")

      const team = yield* cost(
        "Teams.create",
        [transact("teams")],
        "the team item and the owner's membership",
        Effect.flatMap(body(CreateTeamInput, { name: "Growth" }), (input) => teams.create(alice.actor, input))
      )
      const teamId = team.teamId
      const invitation = yield* cost(
        "Teams.invite (a registered user)",
        [batchGet("teams"), getItem("users"), getItem("users"), batchGet("teams"), transact("invitations", "teams")],
        "the caller's membership; the invitee by email (guard, user) and their membership; the invitation with its pending guard, if the team exists",
        Effect.flatMap(body(InviteInput, { email: bob.email, role: "member" }), (input) => teams.invite(alice.actor, teamId, input))
      )
      // A second team invites Bob too, so he has two invitations to list.
      const second = yield* teams.create(alice.actor, yield* body(CreateTeamInput, { name: "Brand" }))
      const secondInvitation = yield* teams.invite(
        alice.actor,
        second.teamId,
        yield* body(InviteInput, { email: bob.email, role: "admin" })
      )
      const pending = yield* cost(
        "Teams.myInvitations (2 pending)",
        [query("invitations"), inParallel(...times(2, getItem("teams")))],
        "email-index Query, then 1 GetItem per team invited to, for its name (8 at a time)",
        teams.myInvitations(bob.actor)
      )
      assert.strictEqual(pending.length, 2)
      yield* cost(
        "Teams.accept",
        [getItem("invitations"), transact("invitations", "teams")],
        "the use case reads the invitation, then one transaction given it (team exists, invitation still pending with that team and email, membership new, guard released); " +
          "+1 TransactWriteItems when the pending guard names a newer invitation",
        teams.accept(bob.actor, invitation.invitationId)
      )
      yield* cost(
        "Teams.decline",
        [getItem("invitations"), transact("invitations", "teams")],
        "as accept, without the membership",
        teams.decline(bob.actor, secondInvitation.invitationId)
      )
      yield* cost(
        "Teams.listMine (2 teams)",
        [query("teams"), batchGet("teams")],
        "memberUserId-index, then the team and membership items (consistent); +1 BatchGetItem per further 50 teams",
        teams.listMine(alice.actor, alice.actor.userId)
      )
      const details = yield* cost(
        "Teams.get (2 members)",
        [batchGet("teams"), getItem("teams"), query("teams"), batchGet("users")],
        "the caller's membership; the team item; the members (one Query of the team's partition, which holds the team item too); their names",
        teams.get(alice.actor, teamId)
      )
      assert.strictEqual(details.members.length, 2)
      yield* cost(
        "Teams.rename",
        [batchGet("teams"), updateItem("teams")],
        "",
        Effect.flatMap(body(CreateTeamInput, { name: "Growth EU" }), (input) => teams.rename(alice.actor, teamId, input))
      )
      yield* cost(
        "Teams.invite (an email with no account)",
        [batchGet("teams"), getItem("users"), transact("invitations", "teams")],
        "",
        Effect.flatMap(body(InviteInput, { email: freshEmail("dave"), role: "member" }), (input) =>
          teams.invite(alice.actor, teamId, input))
      )
      yield* cost(
        "Teams.invite (already a member)",
        [batchGet("teams"), getItem("users"), getItem("users"), batchGet("teams")],
        "Conflict AlreadyMember",
        refusal(
          Effect.flatMap(body(InviteInput, { email: bob.email, role: "admin" }), (input) => teams.invite(alice.actor, teamId, input)),
          "Conflict",
          "AlreadyMember"
        )
      )
      yield* cost(
        "Teams.changeRole",
        [batchGet("teams"), updateItem("teams")],
        "conditioned on the target's role still being admin or member",
        Effect.flatMap(body(ChangeRoleInput, { role: "admin" }), (input) => teams.changeRole(alice.actor, teamId, bob.actor.userId, input))
      )

      const carolsInvitation = yield* teams.invite(alice.actor, teamId, yield* body(InviteInput, { email: carol.email, role: "member" }))
      yield* teams.accept(carol.actor, carolsInvitation.invitationId)
      yield* cost(
        "Teams.removeMember (by the owner)",
        [batchGet("teams"), batchGet("teams"), deleteItem("teams")],
        "the caller's membership, the target's, then a delete conditioned on the target's role",
        teams.removeMember(alice.actor, teamId, carol.actor.userId)
      )
      const back = yield* teams.invite(alice.actor, teamId, yield* body(InviteInput, { email: carol.email, role: "member" }))
      yield* teams.accept(carol.actor, back.invitationId)
      yield* cost(
        "Teams.removeMember (leaving)",
        [batchGet("teams"), deleteItem("teams")],
        "",
        teams.removeMember(carol.actor, teamId, carol.actor.userId)
      )
      yield* cost(
        "Teams.transfer",
        [batchGet("teams"), transact("teams")],
        "promotes the new owner and demotes the old one only while they are the owner, in one transaction",
        Effect.flatMap(body(TransferInput, { userId: bob.actor.userId }), (input) => teams.transfer(alice.actor, teamId, input))
      )
      // The team now: Bob (owner), Alice (admin), and a pending invitation with its guard.
      yield* cost(
        "Teams.delete (2 members, 1 pending invitation)",
        [
          batchGet("teams"),
          deleteItem("teams"),
          inParallel([query("teams"), batchWrite("teams")], [query("invitations"), batchWrite("invitations")])
        ],
        "the team item first (no transaction can add to the team after it), then its memberships and its invitations and guards " +
          "(invitations' teamId-index, eventually consistent); +1 BatchWriteItem per further 25 items",
        teams.delete(bob.actor, teamId)
      )
    }))

  it.effect("PlatformConfigs and PlatformCredentials", () =>
    Effect.gen(function*() {
      const configs = yield* PlatformConfigs
      const credentials = yield* PlatformCredentials
      const alice = yield* signUp("Alice")
      const me = alice.actor.userId
      const platform = yield* google

      yield* cost(
        "PlatformConfigs.list (none yet)",
        [getItem("platform-configs")],
        "one item holds every config of a user and platform",
        configs.list(alice.actor, me, platform)
      )
      const first = yield* cost(
        "PlatformConfigs.create (the first)",
        [updateItem("platform-configs"), putItem("platform-configs")],
        "the update assumes the item exists; without it, a conditional put creates it (+1 UpdateItem when a racing create put it first)",
        Effect.flatMap(body(CreateConfigInput, { name: "Default", settings: { currency: "KRW" } }), (input) =>
          configs.create(alice.actor, me, platform, input))
      )
      const secondConfig = yield* cost(
        "PlatformConfigs.create",
        [updateItem("platform-configs")],
        "id free and fewer than the maximum, in the update's condition",
        Effect.flatMap(body(CreateConfigInput, { name: "Sale", settings: { currency: "KRW", dailyBudget: 1 } }), (input) =>
          configs.create(alice.actor, me, platform, input))
      )
      yield* cost("PlatformConfigs.list", [getItem("platform-configs")], "", configs.list(alice.actor, me, platform))
      yield* cost(
        "PlatformConfigs.update",
        [updateItem("platform-configs")],
        "compare-and-set on the config's version",
        Effect.flatMap(body(UpdateConfigInput, { settings: { currency: "USD" }, version: 1 }), (input) =>
          configs.update(alice.actor, me, platform, first.configId, input))
      )
      yield* cost(
        "PlatformConfigs.update (stale version)",
        [updateItem("platform-configs")],
        "the failed condition answers the stored item: Conflict VersionConflict",
        refusal(
          Effect.flatMap(body(UpdateConfigInput, { settings: { currency: "EUR" }, version: 1 }), (input) =>
            configs.update(alice.actor, me, platform, first.configId, input)),
          "Conflict",
          "VersionConflict"
        )
      )
      yield* cost(
        "PlatformConfigs.delete",
        [updateItem("platform-configs")],
        "",
        configs.delete(alice.actor, me, platform, secondConfig.configId)
      )
      yield* cost(
        "PlatformConfigs.delete (the current config)",
        [updateItem("platform-configs"), updateItem("platform-configs")],
        "the first attempt assumes it is not the current one; its failure answers the item",
        configs.delete(alice.actor, me, platform, first.configId)
      )

      const accountId = yield* body(AccountId, "acct-1001")
      yield* cost(
        "PlatformCredentials.put",
        [updateItem("platform-credentials")],
        "encrypted first: with KmsEnvelopeCipher (the Lambda build) +1 KMS GenerateDataKey, not a DynamoDB command",
        Effect.flatMap(body(PutCredentialsInput, { credentials: "api-key-0123456789" }), (input) =>
          credentials.put(alice.actor, me, platform, accountId, input))
      )
      yield* cost("PlatformCredentials.list", [query("platform-credentials")], "", credentials.list(alice.actor, me, platform))
      yield* cost(
        "PlatformCredentials.delete",
        [deleteItem("platform-credentials")],
        "",
        credentials.delete(alice.actor, me, platform, accountId)
      )
    }))

  it.effect("Campaigns", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const credentials = yield* PlatformCredentials
      const fake = yield* CampaignSourceMemory.FakeAdPlatform
      const lock = yield* SyncLock
      const alice = yield* signUp("Alice")
      const me = alice.actor.userId
      const platform = yield* google
      const accountId = yield* body(AccountId, "acct-2002")
      const apiKey = "api-key-abcdefghij"
      yield* credentials.put(alice.actor, me, platform, accountId, yield* body(PutCredentialsInput, { credentials: apiKey }))
      yield* fake.acceptOnly(platform, accountId, apiKey)
      const remote = (campaignId: string, status: "ENABLED" | "PAUSED", clicks: number) =>
        new RemoteCampaign({ campaignId: CampaignId.make(campaignId), campaignData: { name: campaignId }, status, metrics: { clicks } })
      yield* fake.setCampaigns(platform, accountId, [remote("cmp-spring", "ENABLED", 340), remote("cmp-brand", "PAUSED", 95)])

      const lease = [putItem("sync-locks")]
      const accounts = [query("platform-credentials"), getItem("platform-credentials")]
      const done = [updateItem("platform-credentials"), deleteItem("sync-locks")]
      const first = yield* cost(
        "Campaigns.sync (1 account, 2 new campaigns)",
        [...lease, ...accounts, query("campaigns"), inParallel(...times(2, putItem("campaigns"))), query("campaigns"), ...done],
        "lease; active accounts; per account (4 at a time): its credentials (with KmsEnvelopeCipher +1 KMS Decrypt), the stored " +
          "fingerprints, 1 PutItem per new campaign (16 at a time), the not-removed ones, lastSyncAt; release",
        campaigns.sync(alice.actor, me, platform)
      )
      assert.strictEqual(first.accounts[0]?.created, 2)
      yield* cost(
        "Campaigns.sync (nothing changed)",
        [...lease, ...accounts, query("campaigns"), query("campaigns"), ...done],
        "identical campaigns are not written",
        campaigns.sync(alice.actor, me, platform)
      )
      yield* fake.setCampaigns(platform, accountId, [remote("cmp-spring", "ENABLED", 400)])
      const changed = yield* cost(
        "Campaigns.sync (1 changed, 1 gone)",
        [...lease, ...accounts, query("campaigns"), updateItem("campaigns"), query("campaigns"), updateItem("campaigns"), ...done],
        "1 UpdateItem per changed campaign and per campaign marked removed (16 at a time)",
        campaigns.sync(alice.actor, me, platform)
      )
      assert.deepStrictEqual([changed.accounts[0]?.updated, changed.accounts[0]?.removed], [1, 1])

      const key = syncLockKey(me, platform)
      const held = Option.getOrThrow(yield* lock.tryAcquire(key, 60_000))
      yield* cost(
        "Campaigns.sync (while another sync runs)",
        [putItem("sync-locks")],
        "Conflict SyncInProgress",
        refusal(campaigns.sync(alice.actor, me, platform), "Conflict", "SyncInProgress")
      )
      yield* lock.release(key, held)

      yield* cost(
        "Campaigns.list",
        [query("campaigns")],
        "userPlatform-index (eventually consistent); +1 Query per further 1 MB",
        campaigns.list(alice.actor, me, platform, {})
      )
      yield* cost(
        "Campaigns.list (one account)",
        [query("campaigns")],
        "the account's partition (consistent)",
        campaigns.list(alice.actor, me, platform, { accountId })
      )
    }))

  it.effect("Chat", () =>
    Effect.gen(function*() {
      const chat = yield* Chat
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const teamId = yield* teamOf(alice, bob)
      const other: TeamId = yield* teamOf(alice)

      const room = yield* cost(
        "Chat.createRoom",
        [batchGet("teams"), putItem("chat-rooms")],
        "",
        Effect.flatMap(body(CreateRoomInput, { teamId, name: "general" }), (input) => chat.createRoom(alice.actor, input))
      )
      yield* chat.createRoom(alice.actor, yield* body(CreateRoomInput, { teamId: other, name: "random" }))
      yield* cost(
        "Chat.listRooms (2 teams)",
        [query("teams"), batchGet("teams"), inParallel(...times(2, query("chat-rooms")))],
        "the caller's teams, then each team's rooms (chat-rooms' teamId-index, 8 teams at a time)",
        chat.listRooms(alice.actor, {})
      )
      yield* cost(
        "Chat.listRooms (one team)",
        [query("teams"), batchGet("teams"), query("chat-rooms")],
        "",
        chat.listRooms(alice.actor, { teamId })
      )

      const send = (person: Person, text: string, clientMessageId: string) =>
        Effect.flatMap(body(SendMessageInput, { body: text, clientMessageId }), (input) => chat.send(person.actor, room.roomId, input))
      const access = [getItem("chat-rooms"), batchGet("teams")]
      yield* send(alice, "Morning!", "a-1")
      const sent = yield* cost(
        "Chat.send",
        [...access, batchGet("chat-rooms"), transact("chat-messages", "chat-rooms")],
        "the room and the caller's membership; then the room's counter and the message key, and one transaction " +
          "(counter, key guard, message); +1 TransactWriteItems per race lost to another send in the room",
        send(bob, "Hi!", "b-1")
      )
      assert.isTrue(sent.created)
      const retried = yield* cost(
        "Chat.send (retry of a sent clientMessageId)",
        [...access, batchGet("chat-rooms"), getItem("chat-messages")],
        "the key guard points at the original message, which is answered (created: false) and not published again",
        send(bob, "Hi!", "b-1")
      )
      assert.isFalse(retried.created)
      yield* send(alice, "Sync is live.", "a-2")
      yield* cost(
        "Chat.listMessages",
        [...access, query("chat-messages")],
        "one page, asking one more than the limit to know whether another follows",
        Effect.flatMap(body(ListMessagesInput, { limit: 2 }), (input) => chat.listMessages(bob.actor, room.roomId, input))
      )
      yield* cost(
        "Chat.follow (from a seq: catch-up)",
        [...access, query("chat-messages")],
        "then live messages from the bus; +1 Query per further 100 messages to catch up, or when the bus skips a seq",
        Stream.runCollect(Stream.take(chat.follow(bob.actor, room.roomId, 1), 2))
      )
      yield* cost(
        "Chat.follow (live only)",
        [...access, query("chat-messages"), query("chat-messages")],
        "the room's newest seq, then a catch-up read after it",
        untilSent(4, chat.follow(bob.actor, room.roomId))
      )
      yield* cost(
        "Chat.follow (each resync, every 5 s)",
        [...access, query("chat-messages")],
        "a follower re-checks access and reads past its last seq, so a lost publication still arrives",
        Effect.gen(function*() {
          const before = recorder.all().length
          const fiber = yield* Effect.forkChild(Stream.runDrain(chat.follow(bob.actor, room.roomId, 3)))
          yield* recordedSince(before, 3)
          recorder.take()
          yield* recordedSince(before + 3, 3)
          yield* Fiber.interrupt(fiber)
        })
      )
    }))

  it.effect("QrLogin", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const bob = yield* signUp("Bob")
      const init = Effect.flatMap(body(QrInitInput, { ip: "203.0.113.7", userAgent: "Firefox on Linux" }), qr.init)
      const scanInputOf = (payload: string) => {
        const url = new URL(payload)
        return body(QrScanInput, { challengeId: url.searchParams.get("c"), scanKey: url.searchParams.get("k") })
      }

      const challenge = yield* cost("QrLogin.init", [putItem("qr-challenges")], "", init)
      const scan = yield* scanInputOf(challenge.qrPayload)
      yield* cost("QrLogin.status", [getItem("qr-challenges")], "", qr.status(challenge.challengeId))
      yield* cost(
        "QrLogin.watch (an open challenge)",
        [getItem("qr-challenges"), getItem("qr-challenges")],
        "the first read, then at once a second: the resync timer (Stream.tick) fires when it starts; " +
          "then 1 GetItem per status event, per resync (every 5 s) and at the deadline, until a terminal status",
        untilSent(2, qr.watch(challenge.challengeId))
      )
      yield* cost(
        "QrLogin.scan",
        [getItem("qr-challenges"), updateItem("qr-challenges")],
        "compare-and-set on the status; a lost race: +1 GetItem, then the step again on what it finds",
        qr.scan(bob.actor, scan)
      )
      yield* cost("QrLogin.scan (again, same user)", [getItem("qr-challenges")], "", qr.scan(bob.actor, scan))
      yield* cost(
        "QrLogin.approve",
        [getItem("qr-challenges"), updateItem("qr-challenges")],
        "",
        qr.approve(bob.actor, scan)
      )
      const exchange = yield* body(QrExchangeInput, { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })
      yield* cost(
        "QrLogin.exchange",
        [getItem("qr-challenges"), getItem("users"), updateItem("qr-challenges"), transact("refresh-families", "refresh-tokens")],
        "the challenge, the approving user, approved → consumed, then a new session",
        qr.exchange(exchange)
      )
      yield* cost(
        "QrLogin.exchange (again)",
        [getItem("qr-challenges")],
        "Conflict QrAlreadyUsed",
        refusal(qr.exchange(exchange), "Conflict", "QrAlreadyUsed")
      )
      yield* cost(
        "QrLogin.watch (a finished challenge)",
        [getItem("qr-challenges")],
        "",
        Stream.runCollect(qr.watch(challenge.challengeId))
      )

      const rejected = yield* init
      const rejectInput = yield* scanInputOf(rejected.qrPayload)
      yield* qr.scan(bob.actor, rejectInput)
      yield* cost(
        "QrLogin.reject",
        [getItem("qr-challenges"), updateItem("qr-challenges")],
        "",
        qr.reject(bob.actor, rejectInput)
      )

      // The same use cases with a challenge that lives 1 ms: the first look after it expires it.
      const shortLived = Layer.fresh(QrLogin.layer).pipe(
        Layer.provide(Layer.succeed(QrLoginConfig, { ...QrLoginConfig.defaultValue(), ttl: 1 }))
      )
      yield* Effect.gen(function*() {
        const quick = yield* QrLogin
        const started = yield* quick.init(yield* body(QrInitInput, { ip: "203.0.113.8", userAgent: "desktop" }))
        yield* Effect.sleep("20 millis")
        assert.isTrue((yield* Clock.currentTimeMillis) >= started.expiresAt)
        const status = yield* cost(
          "QrLogin.status (overdue)",
          [getItem("qr-challenges"), updateItem("qr-challenges")],
          "whoever looks first after the deadline moves it to expired (scan, approve and exchange alike)",
          quick.status(started.challengeId)
        )
        assert.strictEqual(status.status, "expired")
      }).pipe(Effect.provide(shortLived))
    }))

  it.effect("Sensors", () =>
    Effect.gen(function*() {
      const sensors = yield* Sensors
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const teamId = yield* teamOf(alice, bob)

      const created = yield* cost(
        "Sensors.createDevice",
        [batchGet("teams"), putItem("devices")],
        "the ingest key is stored only as its SHA-256",
        Effect.flatMap(body(CreateDeviceInput, { teamId, name: "Lobby" }), (input) => sensors.createDevice(alice.actor, input))
      )
      const silent = yield* sensors.createDevice(alice.actor, yield* body(CreateDeviceInput, { teamId, name: "Attic" }))
      yield* cost(
        "Sensors.listDevices (2 devices)",
        [batchGet("teams"), query("devices")],
        "devices' teamId-index (never projects the key digest)",
        sensors.listDevices(bob.actor, teamId)
      )

      const deviceId = created.device.deviceId
      const minute = 60_000
      const m0 = Math.floor((yield* Clock.currentTimeMillis) / minute) * minute - 2 * minute
      const batch = [
        { ts: m0 + 10_000, temperature: 21.0, co2: 620 },
        { ts: m0 + 40_000, temperature: 21.4, co2: 640 },
        { ts: m0 + minute + 15_000, temperature: 22.0, co2: 700 },
        { ts: m0 + minute + 15_000, temperature: 22.0, co2: 700 },
        { ts: m0 + minute + 45_000, temperature: 22.6, co2: 720, x: 120, y: 80 },
        { ts: m0 + minute + 50_000, temperature: 21.9, humidity: 140 }
      ]
      const readings = yield* body(IngestInput, { readings: batch })
      const ingested = yield* cost(
        "Sensors.ingest (a batch of 6: 4 new, 1 repeated ts, 1 invalid)",
        [getItem("devices"), inParallel(...times(4, putItem("sensor-readings"))), putItem("latest-readings")],
        "the device (its key digest); 1 conditional PutItem per distinct valid reading, 16 at a time " +
          "(n distinct valid readings cost n + 2); the newest stored reading offered to the latest-readings cache",
        sensors.ingest(deviceId, created.ingestKey, readings)
      )
      assert.deepStrictEqual([ingested.accepted, ingested.duplicates, ingested.rejected.length], [4, 1, 1])
      yield* cost(
        "Sensors.ingest (the same batch again)",
        [getItem("devices"), inParallel(...times(4, putItem("sensor-readings")))],
        "every put refused by its condition (duplicates); nothing new to offer to the cache",
        sensors.ingest(deviceId, created.ingestKey, readings)
      )
      yield* cost(
        "Sensors.ingest (wrong key)",
        [getItem("devices")],
        "Unauthenticated InvalidDeviceKey",
        refusal(sensors.ingest(deviceId, "not-the-key", readings), "Unauthenticated", "InvalidDeviceKey")
      )
      yield* cost(
        "Sensors.ingestTrusted (MQTT, 2 readings)",
        [getItem("devices"), inParallel(...times(2, putItem("sensor-readings"))), putItem("latest-readings")],
        "as ingest, the broker having authenticated the device",
        sensors.ingestTrusted(deviceId, JSON.stringify([{ ts: m0 + 5_000, co2: 610 }, { ts: m0 + 6_000, co2: 615 }]))
      )
      const range = { deviceId, from: m0, to: m0 + 2 * minute }
      yield* cost(
        "Sensors.query (raw)",
        [getItem("devices"), batchGet("teams"), query("sensor-readings")],
        "the device, the caller's membership of its team, ts BETWEEN; +1 Query per further 1 MB (~10 000 readings)",
        Effect.flatMap(body(QueryInput, { ...range, bucket: "raw" }), (input) => sensors.query(bob.actor, input))
      )
      const buckets = yield* cost(
        "Sensors.query (1m buckets)",
        [getItem("devices"), batchGet("teams"), query("sensor-readings")],
        "folded page by page in process; +1 Query per further 1 MB of the range",
        Effect.flatMap(body(QueryInput, { ...range, bucket: "1m" }), (input) => sensors.query(bob.actor, input))
      )
      assert.strictEqual(buckets._tag, "BucketQueryResult")
      const latest = yield* cost(
        "Sensors.latest (2 devices, 1 without readings)",
        [batchGet("teams"), query("devices"), batchGet("latest-readings"), query("sensor-readings")],
        "the team's devices, the cache for all of them, then 1 Query per device the cache misses (8 at a time), " +
          "+1 PutItem for each one found (a device that never reported is read every time)",
        sensors.latest(bob.actor, teamId)
      )
      assert.deepStrictEqual(latest.map((r) => r.deviceId), [deviceId])
      assert.notStrictEqual(silent.device.deviceId, deviceId)
      yield* cost(
        "Sensors.livePositions",
        [batchGet("teams")],
        "then positions from the bus",
        Effect.scoped(sensors.livePositions(bob.actor, teamId))
      )
    }))

  it.effect("RateLimiter (used by the shells before a use case)", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter
      const key = `login:${freshEmail("limited")}`
      const policy = { limit: 1, windowMs: 60_000 }
      yield* cost(
        "RateLimiter.consume (allowed)",
        [getItem("rate-limits"), putItem("rate-limits")],
        "the window's hits, then a put conditioned on the version read; +1 PutItem per race lost to another consume of the key (the refusal answers the winner's item)",
        limiter.consume(key, policy)
      )
      const refused = yield* cost("RateLimiter.consume (refused)", [getItem("rate-limits")], "", limiter.consume(key, policy))
      assert.isFalse(refused.allowed)
    }))

  it.effect("the table of RoundTrips.md is what was measured", () =>
    Effect.sync(() => {
    const table = renderTable(rows)
    const file = join(import.meta.dirname, "RoundTrips.md")
    // The README carries the same table between two markers.
    const readme = join(import.meta.dirname, "..", "..", "..", "..", "README.md")
    const [start, end] = ["<!-- round-trips:start -->\n", "<!-- round-trips:end -->"]
    const readmeText = readFileSync(readme, "utf8")
    const from = readmeText.indexOf(start)
    const to = readmeText.indexOf(end)
    assert.isTrue(from >= 0 && to > from, "README.md has no round-trips markers")
    if (process.env["UPDATE_ROUND_TRIPS"] === "1") {
      writeFileSync(file, table)
      writeFileSync(readme, readmeText.slice(0, from + start.length) + table + readmeText.slice(to))
      return
    }
    assert.isTrue(existsSync(file), "RoundTrips.md is missing: run with UPDATE_ROUND_TRIPS=1 to write it")
    assert.strictEqual(readFileSync(file, "utf8"), table, "RoundTrips.md differs from the measured costs: run with UPDATE_ROUND_TRIPS=1")
    assert.strictEqual(
      readmeText.slice(from + start.length, to),
      table,
      "README.md's round-trip table differs from the measured costs: run with UPDATE_ROUND_TRIPS=1"
    )
  }))
})

function renderTable(measuredRows: ReadonlyArray<Row>): string {
  const cell = (text: string) => text.replaceAll("|", "\\|")
  return [
    "<!-- Generated by packages/adapters-aws/test/dynamodb/RoundTrips.test.ts, which fails when this file differs from what",
    "     it measures. Rewrite it, in packages/adapters-aws: UPDATE_ROUND_TRIPS=1 npx vitest run test/dynamodb/RoundTrips.test.ts -->",
    "",
    "What each use case costs on DynamoDB, measured against DynamoDB Local by a client middleware that records every",
    "command (a Scan fails the test). `N:` is the number of requests (round trips); `→` one after another;",
    "`[… ∥ …]` and `[n × … in parallel]` run at the same time. Tables are named without their stage prefix.",
    "",
    "| use case | DynamoDB commands (round trips) | notes |",
    "| --- | --- | --- |",
    ...measuredRows.map((row) => `| ${cell(row.useCase)} | ${cell(renderSteps(row.steps))} | ${cell(row.notes)} |`),
    ""
  ].join("\n")
}
