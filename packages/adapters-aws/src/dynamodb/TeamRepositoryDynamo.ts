/**
 * TeamRepository on the teams and invitations tables (layout in Tables.ts). Every rule that
 * depends on current state is a condition of the write that changes it, never a read followed by
 * a write, so DynamoDB decides races:
 * - one owner: transferOwnership is one TransactWriteItems that promotes `to` (must exist) and
 *   demotes `from` only while `from` is the owner; role changes and removals are single writes
 *   conditioned on the role being one of `expected` (a membership item outlives its team item
 *   only inside a delete, so it needs no team check of its own);
 * - no double accept: accept / decline update the invitation only while it is pending, in the same
 *   transaction as the new membership (conditioned on absent) and a check that the team exists;
 *   the invitation comes from the caller as it read it, and the same update's condition requires
 *   the stored team and email to be that copy's, since the keys of the team check, the membership
 *   and the guard are made of them (a forged copy is NotFound and writes nothing); the status and
 *   the expiry are those stored;
 * - one pending, unexpired invitation per (team, email): the pending guard item
 *   "PENDING#<teamId>#<email>" holds the latest invitation's id and expiry and is put in the
 *   invitation's transaction only when absent or expired; answering an invitation deletes the
 *   guard in its transaction while the guard still names it (else the guard has moved on to a
 *   newer invitation, and the answer is retried without that step).
 * No read precedes a transaction: what a transaction's keys are made of comes from the caller,
 * and the transaction itself checks it and everything that can change.
 *
 * The team item exists for as long as the team: delete removes it first, so every transaction
 * that adds to a team (accept, invite) fails from then on, and a consistent Query of the team's
 * partition then finds every membership to delete; invitations and guards are found through the
 * invitations teamId-index (eventually consistent: an invitation written within the index's
 * propagation delay before the delete can survive it — still readable by id and listed as pending
 * until it expires — but it can never be accepted or declined, since that needs the team item).
 * Membership reads check the team item as well, so a delete cut short shows no team and is
 * finished by running it again.
 *
 * Only memberships carry `memberUserId`, the key of the sparse memberUserId-index: team items
 * stay out of it, and since it projects keys only, renames and role changes never write it.
 *
 * Two reads go through a GSI and so lag writes by the index's propagation delay:
 * pendingInvitationsFor (email-index), and which teams teamsOf looks at (memberUserId-index; what
 * it answers for them, team and membership, is then read consistently, so a member just removed
 * is never answered). Nothing decides a rule on either.
 *
 * Round trips: create 1 TransactWriteItems; get 1 GetItem; rename 1 UpdateItem; delete 1
 * DeleteItem + 1 Query (teams) + 1 Query (invitations.teamId-index) + ⌈memberships/25⌉ +
 * ⌈invitations and guards/25⌉ BatchWriteItem (none when there is nothing to delete); membership 1
 * BatchGetItem (team item + membership); members 1 Query; teamsOf 1 Query (memberUserId-index) +
 * ⌈2·teams/100⌉ BatchGetItem (none for no teams); addInvitation 1 TransactWriteItems; invitation
 * 1 GetItem; pendingInvitationsFor 1 Query (email-index); acceptInvitation and declineInvitation
 * 1 TransactWriteItems (+1 TransactWriteItems when the guard has moved on; none when accepting
 * into another team than the invitation's); changeRole 1 UpdateItem; removeMember 1 DeleteItem
 * (both 1 BatchGetItem instead when `expected` is empty); transferOwnership 1 TransactWriteItems
 * (1 BatchGetItem when from = to). Queries take one more round trip per further 1 MB page.
 */
import {
  type AnsweredInvitation,
  Conflict,
  type Email,
  Gone,
  type GrantableRole,
  Invitation,
  type InvitationId,
  Membership,
  NotFound,
  type Role,
  Team,
  type TeamId,
  TeamRepository,
  TeamRepositoryError,
  type TeamWithRole,
  Unexpected,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item, type TransactItem } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"
import { TEAM_ITEM_SORT_KEY } from "./Tables.js"

const TEAM = "team"
const MEMBERSHIP = "membership"
const INVITATION = "invitation"
const PENDING_GUARD = "pendingGuard"

const teamKey = (teamId: TeamId) => ({ teamId, userId: TEAM_ITEM_SORT_KEY })
const membershipKey = (teamId: TeamId, userId: UserId) => ({ teamId, userId })
const invitationKey = (invitationId: InvitationId) => ({ invitationId })

/** The key of the guard of (team, email). Ids hold no '#', so it is unambiguous and no invitation id. */
export const pendingGuardKey = (teamId: TeamId, email: Email) => ({ invitationId: `PENDING#${teamId}#${email}` })

const teamItem = (team: Team): Item => ({
  ...teamKey(team.teamId),
  itemType: TEAM,
  name: team.name,
  createdAt: team.createdAt,
  updatedAt: team.updatedAt
})

const membershipItem = (membership: Membership): Item => ({
  ...membershipKey(membership.teamId, membership.userId),
  memberUserId: membership.userId,
  itemType: MEMBERSHIP,
  role: membership.role,
  invitedBy: membership.invitedBy,
  joinedAt: membership.joinedAt
})

const invitationItem = (invitation: Invitation): Item => ({
  invitationId: invitation.invitationId,
  itemType: INVITATION,
  teamId: invitation.teamId,
  email: invitation.email,
  role: invitation.role,
  invitedBy: invitation.invitedBy,
  status: invitation.status,
  createdAt: invitation.createdAt,
  expiresAt: invitation.expiresAt
})

const portError = DynamoError.toPortError((reason) => new TeamRepositoryError({ reason }))

const malformed = (what: string) =>
  new TeamRepositoryError({ reason: new Unexpected({ message: `a stored ${what} item does not decode` }) })

const decodeTeam = Schema.decodeUnknownEffect(Team)
const decodeMembership = Schema.decodeUnknownEffect(Membership)
const decodeInvitation = Schema.decodeUnknownEffect(Invitation)

export const teamFromItem = (item: Item): Effect.Effect<Team, TeamRepositoryError> =>
  decodeTeam({ teamId: item["teamId"], name: item["name"], createdAt: item["createdAt"], updatedAt: item["updatedAt"] }).pipe(
    Effect.mapError(() => malformed("team"))
  )

export const membershipFromItem = (item: Item): Effect.Effect<Membership, TeamRepositoryError> =>
  decodeMembership({
    teamId: item["teamId"],
    userId: item["userId"],
    role: item["role"],
    invitedBy: item["invitedBy"] ?? null,
    joinedAt: item["joinedAt"]
  }).pipe(Effect.mapError(() => malformed("membership")))

export const invitationFromItem = (item: Item): Effect.Effect<Invitation, TeamRepositoryError> =>
  decodeInvitation({
    invitationId: item["invitationId"],
    teamId: item["teamId"],
    email: item["email"],
    role: item["role"],
    invitedBy: item["invitedBy"],
    status: item["status"],
    createdAt: item["createdAt"],
    expiresAt: item["expiresAt"]
  }).pipe(Effect.mapError(() => malformed("invitation")))

const isTeamItem = (item: Item) => item["userId"] === TEAM_ITEM_SORT_KEY

const teamExists: Omit<Extract<TransactItem, { kind: "conditionCheck" }>, "key"> = {
  kind: "conditionCheck",
  table: "teams",
  condition: "attribute_exists(#teamId)"
}

const memberNotFound = () => NotFound.of("member")
const invitationNotFound = () => NotFound.of("invitation")
const roleChanged = (role: unknown) => new Conflict({ code: "RoleChanged", message: `member's role is ${String(role)}` })
const notPending = (status: unknown) =>
  new Conflict({ code: "InvitationNotPending", message: `invitation is ${String(status)}` })

/** `#role IN (:r0, :r1, …)` with its values; `expected` must not be empty. */
const roleIn = (expected: ReadonlyArray<Role>) => {
  const values: Record<string, string> = {}
  expected.forEach((role, i) => (values[`:r${i}`] = role))
  return { condition: `#role IN (${Object.keys(values).join(", ")})`, values }
}

// Why a transaction was cancelled: DynamoDB evaluates every condition, so the first failing action
// in the port's order of outcomes (the order the actions are listed in) is the answer.

const invitationRefused = (failed: DynamoError.ConditionFailed): NotFound | Conflict => {
  if (failed.failedAt(0)) return NotFound.of("team")
  if (failed.failedAt(1)) return new Conflict({ code: "InvitationExists", message: "invitation already exists" })
  return new Conflict({ code: "InvitationPending", message: "a pending invitation for this email exists" })
}

/**
 * The invitation item the settle action failed on, when it is the invitation `given` names (an
 * invitation item, not a guard, with the given team and email); undefined when there is none.
 */
const settledItem = (failed: DynamoError.ConditionFailed, given: AnsweredInvitation): Item | undefined => {
  const now = failed.itemAt(1)
  return now !== undefined && now["itemType"] === INVITATION && now["teamId"] === given.teamId && now["email"] === given.email
    ? now
    : undefined
}

/** Actions: team exists, invitation (as given) pending and unexpired, membership absent. */
const acceptRefused = (
  failed: DynamoError.ConditionFailed,
  given: AnsweredInvitation
): NotFound | Conflict | Gone | DynamoError.ConditionFailed => {
  if (failed.failedAt(0)) return invitationNotFound()
  if (failed.failedAt(1)) {
    const now = settledItem(failed, given)
    if (now === undefined) return invitationNotFound()
    if (now["status"] !== "pending") return notPending(now["status"])
    return new Gone({ code: "InvitationExpired", message: "invitation has expired" })
  }
  if (failed.failedAt(2)) return new Conflict({ code: "AlreadyMember", message: "already a member of this team" })
  return failed
}

/** Actions: team exists, invitation (as given) pending. */
const declineRefused = (
  failed: DynamoError.ConditionFailed,
  given: AnsweredInvitation
): NotFound | Conflict | DynamoError.ConditionFailed => {
  const now = failed.failedAt(1) ? settledItem(failed, given) : undefined
  if (failed.failedAt(0) || (failed.failedAt(1) && now === undefined)) return invitationNotFound()
  return failed.failedAt(1) ? notPending(now?.["status"]) : failed
}

/** Actions: team exists, `to` exists, `from` exists and is the owner. */
const transferRefused = (failed: DynamoError.ConditionFailed): NotFound | Conflict | DynamoError.ConditionFailed => {
  if (failed.failedAt(0) || failed.failedAt(1) || (failed.failedAt(2) && failed.itemAt(2) === undefined)) {
    return memberNotFound()
  }
  return failed.failedAt(2) ? new Conflict({ code: "NotOwner", message: "only the current owner can transfer ownership" }) : failed
}

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const create = Effect.fn("TeamRepositoryDynamo.create")(function*(team: Team, owner: Membership) {
    yield* dynamo.transactWrite([
      { kind: "put", table: "teams", item: teamItem(team), condition: "attribute_not_exists(#teamId)" },
      { kind: "put", table: "teams", item: membershipItem(owner), condition: "attribute_not_exists(#teamId)" }
    ]).pipe(
      // The port has no outcome for an id that is taken (ids are fresh ULIDs): refuse rather than overwrite.
      Effect.catchTag("ConditionFailed", () =>
        Effect.fail(new TeamRepositoryError({ reason: new Unexpected({ message: "team already exists" }) }))),
      portError
    )
  })

  const get = Effect.fn("TeamRepositoryDynamo.get")(function*(teamId: TeamId) {
    const found = yield* dynamo.get("teams", teamKey(teamId)).pipe(portError)
    return Option.isNone(found) ? Option.none() : Option.some(yield* teamFromItem(found.value))
  })

  const rename = Effect.fn("TeamRepositoryDynamo.rename")(function*(teamId: TeamId, name: string, at: number) {
    const updated = yield* dynamo.update("teams", teamKey(teamId), {
      update: "SET #name = :name, #updatedAt = :at",
      condition: "attribute_exists(#teamId)",
      values: { ":name": name, ":at": at }
    }).pipe(
      Effect.catchTag("ConditionFailed", () => Effect.fail(NotFound.of("team"))),
      portError
    )
    if (Option.isNone(updated)) return yield* malformed("team")
    return yield* teamFromItem(updated.value)
  })

  const del = Effect.fn("TeamRepositoryDynamo.delete")(function*(teamId: TeamId) {
    // The team item first: from here on no transaction can add a membership or an invitation.
    yield* dynamo.delete("teams", teamKey(teamId)).pipe(portError)
    const memberships = dynamo.queryAll("teams", { partition: teamId, attributes: ["teamId", "userId"] }).pipe(
      Effect.flatMap((keys) =>
        keys.length === 0
          ? Effect.void
          : dynamo.batchWrite("teams", { deletes: keys.map((k) => membershipKey(teamId, k["userId"] as UserId)) })
      )
    )
    // Invitations and pending guards alike carry teamId, so the index finds both.
    const invitations = dynamo.queryAll("invitations", {
      index: "teamId-index",
      partition: teamId,
      attributes: ["invitationId"]
    }).pipe(
      Effect.flatMap((keys) =>
        keys.length === 0
          ? Effect.void
          : dynamo.batchWrite("invitations", { deletes: keys.map((k) => ({ invitationId: k["invitationId"] as string })) })
      )
    )
    yield* Effect.all([memberships, invitations], { concurrency: 2, discard: true }).pipe(portError)
  })

  const membership = Effect.fn("TeamRepositoryDynamo.membership")(function*(teamId: TeamId, userId: UserId) {
    const items = yield* dynamo.batchGet("teams", [teamKey(teamId), membershipKey(teamId, userId)]).pipe(portError)
    const member = items.find((item) => item["userId"] === userId)
    if (member === undefined || !items.some(isTeamItem)) return Option.none()
    return Option.some(yield* membershipFromItem(member))
  })

  const members = Effect.fn("TeamRepositoryDynamo.members")(function*(teamId: TeamId) {
    const items = yield* dynamo.queryAll("teams", { partition: teamId }).pipe(portError)
    // '#' sorts below every id character, so the team item, when there is one, comes first.
    if (items[0] === undefined || !isTeamItem(items[0])) return []
    return yield* Effect.forEach(items.slice(1), membershipFromItem)
  })

  const teamsOf = Effect.fn("TeamRepositoryDynamo.teamsOf")(function*(userId: UserId) {
    // The index only says where to look (it lags); the strongly consistent batch says what is there.
    const found = yield* dynamo.queryAll("teams", { index: "memberUserId-index", partition: userId, attributes: ["teamId"] }).pipe(
      portError
    )
    if (found.length === 0) return []
    const teamIds = found.map((item) => item["teamId"] as TeamId)
    const items = yield* dynamo.batchGet("teams", teamIds.flatMap((teamId) => [teamKey(teamId), membershipKey(teamId, userId)])).pipe(
      portError
    )
    const teams = new Map<string, Item>()
    const memberships = new Map<string, Item>()
    for (const item of items) (isTeamItem(item) ? teams : memberships).set(item["teamId"] as string, item)
    const result: Array<TeamWithRole> = []
    for (const teamId of teamIds) {
      const team = teams.get(teamId)
      const member = memberships.get(teamId)
      if (team !== undefined && member !== undefined) {
        result.push({ team: yield* teamFromItem(team), membership: yield* membershipFromItem(member) })
      }
    }
    return result
  })

  const addInvitation = Effect.fn("TeamRepositoryDynamo.addInvitation")(function*(invitation: Invitation) {
    const actions: Array<TransactItem> = [
      { ...teamExists, key: teamKey(invitation.teamId) },
      { kind: "put", table: "invitations", item: invitationItem(invitation), condition: "attribute_not_exists(#invitationId)" }
    ]
    // Only a pending invitation claims the guard (the port never receives another, but it may).
    if (invitation.status === "pending") {
      actions.push({
        kind: "put",
        table: "invitations",
        item: {
          ...pendingGuardKey(invitation.teamId, invitation.email),
          itemType: PENDING_GUARD,
          teamId: invitation.teamId,
          pendingInvitationId: invitation.invitationId,
          pendingExpiresAt: invitation.expiresAt
        },
        condition: "attribute_not_exists(#invitationId) OR #pendingExpiresAt <= :createdAt",
        values: { ":createdAt": invitation.createdAt }
      })
    }
    yield* dynamo.transactWrite(actions).pipe(
      Effect.catchTag("ConditionFailed", (failed) => Effect.fail(invitationRefused(failed))),
      portError
    )
  })

  const invitationItemOf = (id: InvitationId) =>
    dynamo.get("invitations", invitationKey(id)).pipe(
      Effect.map(Option.filter((item) => item["itemType"] === INVITATION)),
      portError
    )

  const invitation = Effect.fn("TeamRepositoryDynamo.invitation")(function*(id: InvitationId) {
    const found = yield* invitationItemOf(id)
    return Option.isNone(found) ? Option.none() : Option.some(yield* invitationFromItem(found.value))
  })

  const pendingInvitationsFor = Effect.fn("TeamRepositoryDynamo.pendingInvitationsFor")(function*(email: Email, now: number) {
    const items = yield* dynamo.queryAll("invitations", {
      index: "email-index",
      partition: email,
      range: { op: ">", value: now },
      filter: "#status = :pending",
      values: { ":pending": "pending" }
    }).pipe(portError)
    return yield* Effect.forEach(items, invitationFromItem)
  })

  /**
   * Runs the answer of a pending invitation with the release of its guard; when only the guard's
   * condition failed, the guard names a newer invitation and the answer runs without it.
   */
  const answer = (actions: ReadonlyArray<TransactItem>, invitation: AnsweredInvitation) => {
    const releaseGuard: TransactItem = {
      kind: "delete",
      table: "invitations",
      key: pendingGuardKey(invitation.teamId, invitation.email),
      condition: "#pendingInvitationId = :id",
      values: { ":id": invitation.invitationId }
    }
    return dynamo.transactWrite([...actions, releaseGuard]).pipe(
      Effect.catchTag("ConditionFailed", (failed) =>
        failed.failedAt(actions.length) && actions.every((_, i) => !failed.failedAt(i))
          ? dynamo.transactWrite(actions)
          : Effect.fail(failed))
    )
  }

  /**
   * Answers the invitation `given` names while it is pending and still has the given team and
   * email (a guard item has no email, so it never matches). The item's keys come from `given`:
   * this condition is what makes them trustworthy.
   */
  const settle = (given: AnsweredInvitation, status: "accepted" | "declined", condition: string, values: Record<string, unknown>) =>
    ({
      kind: "update",
      table: "invitations",
      key: invitationKey(given.invitationId),
      update: "SET #status = :answer",
      condition: `#status = :pending AND #teamId = :teamId AND #email = :email${condition}`,
      values: { ":answer": status, ":pending": "pending", ":teamId": given.teamId, ":email": given.email, ...values },
      returnItemOnConditionFailure: true
    }) satisfies TransactItem

  const acceptInvitation = Effect.fn("TeamRepositoryDynamo.acceptInvitation")(
    function*(given: AnsweredInvitation, joining: Membership) {
      if (given.teamId !== joining.teamId) return yield* Effect.fail(invitationNotFound())
      yield* answer([
        { ...teamExists, key: teamKey(given.teamId) },
        settle(given, "accepted", " AND #expiresAt > :joinedAt", { ":joinedAt": joining.joinedAt }),
        { kind: "put", table: "teams", item: membershipItem(joining), condition: "attribute_not_exists(#userId)" }
      ], given).pipe(
        // Every condition is evaluated: the first failing action, in the port's order, is the answer.
        Effect.catchTag("ConditionFailed", (failed) => Effect.fail(acceptRefused(failed, given))),
        portError
      )
      return joining
    }
  )

  const declineInvitation = Effect.fn("TeamRepositoryDynamo.declineInvitation")(function*(given: AnsweredInvitation) {
    yield* answer([{ ...teamExists, key: teamKey(given.teamId) }, settle(given, "declined", "", {})], given).pipe(
      Effect.catchTag("ConditionFailed", (failed) => Effect.fail(declineRefused(failed, given))),
      portError
    )
  })

  /** For an empty `expected`, nothing can match: answer from the current state without writing. */
  const refuseAny = (teamId: TeamId, userId: UserId) =>
    Effect.flatMap(membership(teamId, userId), (found) =>
      Effect.fail(Option.isNone(found) ? memberNotFound() : roleChanged(found.value.role)))

  /** A single-item write's condition failure: the member is gone, or has another role. */
  const memberOrRole = (failed: DynamoError.ConditionFailed) => {
    const now = failed.itemAt(0)
    return Effect.fail(now === undefined ? memberNotFound() : roleChanged(now["role"]))
  }

  const changeRole = Effect.fn("TeamRepositoryDynamo.changeRole")(
    function*(teamId: TeamId, userId: UserId, role: GrantableRole, expected: ReadonlyArray<Role>) {
      if (expected.length === 0) return yield* refuseAny(teamId, userId)
      const allowed = roleIn(expected)
      const updated = yield* dynamo.update("teams", membershipKey(teamId, userId), {
        update: "SET #role = :role",
        condition: `attribute_exists(#userId) AND ${allowed.condition}`,
        values: { ":role": role, ...allowed.values },
        returnItemOnConditionFailure: true
      }).pipe(Effect.catchTag("ConditionFailed", memberOrRole), portError)
      if (Option.isNone(updated)) return yield* malformed("membership")
      return yield* membershipFromItem(updated.value)
    }
  )

  const transferOwnership = Effect.fn("TeamRepositoryDynamo.transferOwnership")(
    function*(teamId: TeamId, from: UserId, to: UserId) {
      if (from === to) {
        const found = yield* membership(teamId, from)
        return yield* Effect.fail(
          Option.isNone(found)
            ? memberNotFound()
            : new Conflict({ code: "AlreadyOwner", message: "ownership cannot move to its owner" })
        )
      }
      yield* dynamo.transactWrite([
        { ...teamExists, key: teamKey(teamId) },
        {
          kind: "update",
          table: "teams",
          key: membershipKey(teamId, to),
          update: "SET #role = :owner",
          condition: "attribute_exists(#userId)",
          values: { ":owner": "owner" }
        },
        {
          kind: "update",
          table: "teams",
          key: membershipKey(teamId, from),
          update: "SET #role = :admin",
          condition: "attribute_exists(#userId) AND #role = :owner",
          values: { ":admin": "admin", ":owner": "owner" },
          returnItemOnConditionFailure: true
        }
      ]).pipe(
        Effect.catchTag("ConditionFailed", (failed) => Effect.fail(transferRefused(failed))),
        portError
      )
    }
  )

  const removeMember = Effect.fn("TeamRepositoryDynamo.removeMember")(
    function*(teamId: TeamId, userId: UserId, expected: ReadonlyArray<Role>) {
      if (expected.length === 0) return yield* refuseAny(teamId, userId)
      const allowed = roleIn(expected)
      yield* dynamo.delete("teams", membershipKey(teamId, userId), {
        condition: `attribute_exists(#userId) AND ${allowed.condition}`,
        values: allowed.values,
        returnItemOnConditionFailure: true
      }).pipe(Effect.catchTag("ConditionFailed", memberOrRole), portError)
    }
  )

  return TeamRepository.of({
    create,
    get,
    rename,
    delete: del,
    membership,
    members,
    teamsOf,
    addInvitation,
    invitation,
    pendingInvitationsFor,
    acceptInvitation,
    declineInvitation,
    changeRole,
    transferOwnership,
    removeMember
  })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<TeamRepository, never, DynamoClient> = Layer.effect(TeamRepository, make)
