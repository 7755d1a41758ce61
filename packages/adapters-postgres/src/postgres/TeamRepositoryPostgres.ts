/**
 * TeamRepository on Postgres. Every operation that decides on a row's current state runs in a
 * transaction that first locks what the decision reads, so concurrent requests are serialised by
 * the database and the checks see the last committed state:
 * - addInvitation locks the team row (FOR NO KEY UPDATE), so of racing invitations of one email
 *   exactly one finds no pending invitation and is stored;
 * - acceptInvitation / declineInvitation lock the invitation row, so it is answered once; the row
 *   is found only where it has the team and email of the caller's copy (else NotFound), and its
 *   status and expiry are read there, never taken from the copy;
 * - changeRole / removeMember lock the membership row and re-check the expected role;
 * - transferOwnership locks the team row and both membership rows, and demotes before it promotes.
 * The partial unique index `team_memberships_one_owner` holds the single-owner rule whatever
 * happens. Transactions that lock more than one of a team's rows lock the team row first — the
 * order a team delete and its cascade take — so they queue behind a delete instead of deadlocking
 * with it.
 */
import {
  Conflict,
  type Email,
  Gone,
  Invitation,
  type InvitationId,
  type InvitationStatus,
  Membership,
  NotFound,
  type Role,
  Team,
  type TeamId,
  TeamRepository,
  TeamRepositoryError,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { type Sql, SqlClient } from "./SqlClient.js"
import { isUniqueViolation, SqlError } from "./SqlError.js"

interface TeamRow {
  readonly [column: string]: unknown
  readonly team_id: string
  readonly name: string
  readonly created_at: number
  readonly updated_at: number
}

interface MembershipRow {
  readonly [column: string]: unknown
  readonly team_id: string
  readonly user_id: string
  readonly role: Role
  readonly invited_by: string | null
  readonly joined_at: number
}

interface TeamWithRoleRow extends TeamRow {
  readonly user_id: string
  readonly role: Role
  readonly invited_by: string | null
  readonly joined_at: number
}

interface InvitationRow {
  readonly [column: string]: unknown
  readonly invitation_id: string
  readonly team_id: string
  readonly email: string
  readonly role: Invitation["role"]
  readonly invited_by: string
  readonly status: InvitationStatus
  readonly created_at: number
  readonly expires_at: number
}

const TEAM_COLUMNS = "team_id, name, created_at, updated_at"
const MEMBERSHIP_COLUMNS = "team_id, user_id, role, invited_by, joined_at"
const INVITATION_COLUMNS = "invitation_id, team_id, email, role, invited_by, status, created_at, expires_at"

/** The SQL of the list reads, exported so a test can EXPLAIN exactly what runs. */
export const queries = {
  /** $1 user id. Served by `team_memberships_user_idx`, then `teams_pkey` per team. */
  teamsOf: `SELECT t.team_id, t.name, t.created_at, t.updated_at, m.user_id, m.role, m.invited_by, m.joined_at
              FROM team_memberships m
              JOIN teams t ON t.team_id = m.team_id
             WHERE m.user_id = $1
             ORDER BY m.team_id`,
  /** $1 email, $2 now. Served by the partial index `team_invitations_pending_email_idx`. */
  pendingInvitationsFor: `SELECT ${INVITATION_COLUMNS}
                            FROM team_invitations
                           WHERE email = $1 AND status = 'pending' AND expires_at > $2
                           ORDER BY created_at, invitation_id`
} as const

const teamOf = (row: TeamRow) =>
  new Team({
    teamId: row.team_id as TeamId,
    name: row.name as Team["name"],
    createdAt: row.created_at,
    updatedAt: row.updated_at
  })

const membershipOf = (row: MembershipRow) =>
  new Membership({
    teamId: row.team_id as TeamId,
    userId: row.user_id as UserId,
    role: row.role,
    invitedBy: row.invited_by as UserId | null,
    joinedAt: row.joined_at
  })

const invitationOf = (row: InvitationRow) =>
  new Invitation({
    invitationId: row.invitation_id as InvitationId,
    teamId: row.team_id as TeamId,
    email: row.email as Email,
    role: row.role,
    invitedBy: row.invited_by as UserId,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at
  })

const failure = (error: SqlError) => new TeamRepositoryError({ reason: error.reason })

const invitationExists = () => new Conflict({ code: "InvitationExists", message: "invitation already exists" })
const notPending = (status: InvitationStatus) =>
  new Conflict({ code: "InvitationNotPending", message: `invitation is ${status}` })
const roleChanged = (role: Role) => new Conflict({ code: "RoleChanged", message: `member's role is ${role}` })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  /**
   * Runs `body` in a transaction; SQL failures stay SqlError inside (so deadlocks are retried by
   * the client) and become TeamRepositoryError outside.
   */
  const inTransaction = <A, E>(body: (tx: Sql) => Effect.Effect<A, E | SqlError>) =>
    sql.transaction(body).pipe(Effect.mapError((error) => (error instanceof SqlError ? failure(error) : error)))

  /** Reads a member's row locked for the rest of the transaction; NotFound when absent. */
  const lockedMember = (tx: Sql, teamId: TeamId, userId: UserId) =>
    tx.query<MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM team_memberships WHERE team_id = $1 AND user_id = $2 FOR UPDATE`,
      [teamId, userId]
    ).pipe(
      Effect.flatMap((rows) => (rows[0] === undefined ? Effect.fail(NotFound.of("member")) : Effect.succeed(rows[0])))
    )

  return TeamRepository.of({
    create: Effect.fn("TeamRepositoryPostgres.create")(function*(team, owner) {
      yield* sql.query(
        `WITH team AS (
           INSERT INTO teams (${TEAM_COLUMNS}) VALUES ($1, $2, $3, $4) RETURNING team_id
         )
         INSERT INTO team_memberships (${MEMBERSHIP_COLUMNS})
         SELECT $5, $6, $7, $8, $9 FROM team`,
        [team.teamId, team.name, team.createdAt, team.updatedAt, owner.teamId, owner.userId, owner.role, owner.invitedBy, owner.joinedAt]
      ).pipe(Effect.mapError(failure))
    }),

    get: (teamId) =>
      sql.query<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE team_id = $1`, [teamId]).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), teamOf)),
        Effect.mapError(failure)
      ),

    rename: Effect.fn("TeamRepositoryPostgres.rename")(function*(teamId, name, at) {
      const rows = yield* sql.query<TeamRow>(
        `UPDATE teams SET name = $2, updated_at = $3 WHERE team_id = $1 RETURNING ${TEAM_COLUMNS}`,
        [teamId, name, at]
      ).pipe(Effect.mapError(failure))
      const row = rows[0]
      if (row === undefined) return yield* Effect.fail(NotFound.of("team"))
      return teamOf(row)
    }),

    delete: (teamId) =>
      // Memberships and invitations go by ON DELETE CASCADE.
      sql.query("DELETE FROM teams WHERE team_id = $1", [teamId]).pipe(
        Effect.asVoid,
        Effect.mapError(failure),
        Effect.withSpan("TeamRepositoryPostgres.delete")
      ),

    membership: (teamId, userId) =>
      sql.query<MembershipRow>(
        `SELECT ${MEMBERSHIP_COLUMNS} FROM team_memberships WHERE team_id = $1 AND user_id = $2`,
        [teamId, userId]
      ).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), membershipOf)),
        Effect.mapError(failure)
      ),

    members: (teamId) =>
      sql.query<MembershipRow>(
        `SELECT ${MEMBERSHIP_COLUMNS} FROM team_memberships WHERE team_id = $1 ORDER BY user_id`,
        [teamId]
      ).pipe(Effect.map((rows) => rows.map(membershipOf)), Effect.mapError(failure)),

    teamsOf: (userId) =>
      sql.query<TeamWithRoleRow>(queries.teamsOf, [userId]).pipe(
        Effect.map((rows) => rows.map((row) => ({ team: teamOf(row), membership: membershipOf(row) }))),
        Effect.mapError(failure)
      ),

    addInvitation: Effect.fn("TeamRepositoryPostgres.addInvitation")(function*(invitation) {
      yield* inTransaction((tx) =>
        Effect.gen(function*() {
          // Invitations of one team are decided one at a time: whoever waited here sees the
          // invitation the previous one committed.
          const team = yield* tx.query("SELECT 1 FROM teams WHERE team_id = $1 FOR NO KEY UPDATE", [invitation.teamId])
          if (team.length === 0) return yield* Effect.fail(NotFound.of("team"))
          const [state] = yield* tx.query<{ readonly taken: boolean; readonly pending: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM team_invitations WHERE invitation_id = $1) AS taken,
                    EXISTS (SELECT 1 FROM team_invitations
                             WHERE team_id = $2 AND email = $3 AND status = 'pending' AND expires_at > $4) AS pending`,
            [invitation.invitationId, invitation.teamId, invitation.email, invitation.createdAt]
          )
          if (state?.taken === true) return yield* Effect.fail(invitationExists())
          if (state?.pending === true) {
            return yield* Effect.fail(
              new Conflict({ code: "InvitationPending", message: "a pending invitation for this email exists" })
            )
          }
          // The id may still be taken by a racing invitation of another team.
          yield* tx.query(
            `INSERT INTO team_invitations (${INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              invitation.invitationId,
              invitation.teamId,
              invitation.email,
              invitation.role,
              invitation.invitedBy,
              invitation.status,
              invitation.createdAt,
              invitation.expiresAt
            ]
          ).pipe(
            Effect.catchIf((error) => isUniqueViolation(error, "team_invitations_pkey"), () => Effect.fail(invitationExists()))
          )
        })
      )
    }),

    invitation: (id) =>
      sql.query<InvitationRow>(`SELECT ${INVITATION_COLUMNS} FROM team_invitations WHERE invitation_id = $1`, [id]).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), invitationOf)),
        Effect.mapError(failure)
      ),

    pendingInvitationsFor: (email, now) =>
      sql.query<InvitationRow>(queries.pendingInvitationsFor, [email, now]).pipe(
        Effect.map((rows) => rows.map(invitationOf)),
        Effect.mapError(failure)
      ),

    acceptInvitation: Effect.fn("TeamRepositoryPostgres.acceptInvitation")(function*(given, membership) {
      if (given.teamId !== membership.teamId) return yield* Effect.fail(NotFound.of("invitation"))
      return yield* inTransaction((tx) =>
        Effect.gen(function*() {
          // The team row first (shared; a team delete waits for us), then the invitation row:
          // racing accepts queue on it and the later ones find it answered.
          const team = yield* tx.query("SELECT 1 FROM teams WHERE team_id = $1 FOR KEY SHARE", [membership.teamId])
          if (team.length === 0) return yield* Effect.fail(NotFound.of("invitation"))
          const invitation = (yield* tx.query<{ readonly status: InvitationStatus; readonly expires_at: number }>(
            `SELECT status, expires_at FROM team_invitations
              WHERE invitation_id = $1 AND team_id = $2 AND email = $3
                FOR UPDATE`,
            [given.invitationId, given.teamId, given.email]
          ))[0]
          if (invitation === undefined) return yield* Effect.fail(NotFound.of("invitation"))
          if (invitation.status !== "pending") return yield* Effect.fail(notPending(invitation.status))
          if (invitation.expires_at <= membership.joinedAt) {
            return yield* Effect.fail(new Gone({ code: "InvitationExpired", message: "invitation has expired" }))
          }
          const inserted = yield* tx.query(
            `INSERT INTO team_memberships (${MEMBERSHIP_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (team_id, user_id) DO NOTHING
             RETURNING user_id`,
            [membership.teamId, membership.userId, membership.role, membership.invitedBy, membership.joinedAt]
          )
          if (inserted.length === 0) {
            return yield* Effect.fail(new Conflict({ code: "AlreadyMember", message: "already a member of this team" }))
          }
          yield* tx.query("UPDATE team_invitations SET status = 'accepted' WHERE invitation_id = $1", [given.invitationId])
          return membership
        })
      )
    }),

    declineInvitation: Effect.fn("TeamRepositoryPostgres.declineInvitation")(function*(given) {
      yield* inTransaction((tx) =>
        Effect.gen(function*() {
          // An invitation row lives no longer than its team (ON DELETE CASCADE): finding it is finding both.
          const invitation = (yield* tx.query<{ readonly status: InvitationStatus }>(
            "SELECT status FROM team_invitations WHERE invitation_id = $1 AND team_id = $2 AND email = $3 FOR UPDATE",
            [given.invitationId, given.teamId, given.email]
          ))[0]
          if (invitation === undefined) return yield* Effect.fail(NotFound.of("invitation"))
          if (invitation.status !== "pending") return yield* Effect.fail(notPending(invitation.status))
          yield* tx.query("UPDATE team_invitations SET status = 'declined' WHERE invitation_id = $1", [given.invitationId])
        })
      )
    }),

    changeRole: Effect.fn("TeamRepositoryPostgres.changeRole")(function*(teamId, userId, role, expected) {
      return yield* inTransaction((tx) =>
        Effect.gen(function*() {
          const current = yield* lockedMember(tx, teamId, userId)
          if (!expected.includes(current.role)) return yield* Effect.fail(roleChanged(current.role))
          const rows = yield* tx.query<MembershipRow>(
            `UPDATE team_memberships SET role = $3 WHERE team_id = $1 AND user_id = $2 RETURNING ${MEMBERSHIP_COLUMNS}`,
            [teamId, userId, role]
          )
          return membershipOf(rows[0]!)
        })
      )
    }),

    transferOwnership: Effect.fn("TeamRepositoryPostgres.transferOwnership")(function*(teamId, from, to) {
      yield* inTransaction((tx) =>
        Effect.gen(function*() {
          // Transfers of one team run one at a time; the member rows are locked too, against a
          // concurrent changeRole or removeMember of either side.
          const team = yield* tx.query("SELECT 1 FROM teams WHERE team_id = $1 FOR NO KEY UPDATE", [teamId])
          if (team.length === 0) return yield* Effect.fail(NotFound.of("member"))
          const rows = yield* tx.query<{ readonly user_id: string; readonly role: Role }>(
            `SELECT user_id, role FROM team_memberships
              WHERE team_id = $1 AND user_id = ANY($2::text[])
              ORDER BY user_id
                FOR UPDATE`,
            [teamId, [from, to]]
          )
          const owner = rows.find((row) => row.user_id === from)
          if (owner === undefined || !rows.some((row) => row.user_id === to)) {
            return yield* Effect.fail(NotFound.of("member"))
          }
          if (from === to) {
            return yield* Effect.fail(new Conflict({ code: "AlreadyOwner", message: "ownership cannot move to its owner" }))
          }
          if (owner.role !== "owner") {
            return yield* Effect.fail(new Conflict({ code: "NotOwner", message: "only the current owner can transfer ownership" }))
          }
          // Demote first: `team_memberships_one_owner` is checked row by row.
          yield* tx.query("UPDATE team_memberships SET role = 'admin' WHERE team_id = $1 AND user_id = $2", [teamId, from])
          yield* tx.query("UPDATE team_memberships SET role = 'owner' WHERE team_id = $1 AND user_id = $2", [teamId, to])
        })
      )
    }),

    removeMember: Effect.fn("TeamRepositoryPostgres.removeMember")(function*(teamId, userId, expected) {
      yield* inTransaction((tx) =>
        Effect.gen(function*() {
          const current = yield* lockedMember(tx, teamId, userId)
          if (!expected.includes(current.role)) return yield* Effect.fail(roleChanged(current.role))
          yield* tx.query("DELETE FROM team_memberships WHERE team_id = $1 AND user_id = $2", [teamId, userId])
        })
      )
    })
  })
})

export const layer: Layer.Layer<TeamRepository, never, SqlClient> = Layer.effect(TeamRepository, make)
