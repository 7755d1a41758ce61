/**
 * A Sensors service on in-memory ports with a team of an owner, an admin and a member, for the
 * use-case tests and properties.
 */
import { Effect, Layer, Schema } from "effect"
import { Actor } from "../../src/Actor.js"
import { Ids } from "../../src/Ids.js"
import { Randomness } from "../../src/Randomness.js"
import {
  DeviceRepositoryMemory,
  LatestReadingCacheMemory,
  ReadingRepositoryMemory,
  SensorBusMemory
} from "../../src/Sensors/memory/index.js"
import { Sensors } from "../../src/Sensors/Sensors.js"
import * as TeamRepositoryMemory from "../../src/Teams/memory/TeamRepositoryMemory.js"
import { Invitation, InvitationId, Membership, Team, TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { Email, UserId } from "../../src/Users/User.js"

/** 2023-11-14T22:13:20Z: "now" for every test. */
export const NOW = 1_700_000_000_000

export const actorOf = (name: string) =>
  new Actor({ userId: UserId.make(name), email: Schema.decodeSync(Email)(`${name}@example.com`) })

export const owner = actorOf("owner")
export const admin = actorOf("admin")
export const member = actorOf("member")
export const stranger = actorOf("stranger")
export const teamId = TeamId.make("team-ops")
export const otherTeamId = TeamId.make("team-other")

export const portsLayer = Layer.mergeAll(
  DeviceRepositoryMemory.layer,
  ReadingRepositoryMemory.layer,
  LatestReadingCacheMemory.layer,
  SensorBusMemory.layer,
  TeamRepositoryMemory.layer,
  Ids.layer.pipe(Layer.provide(Randomness.layer)),
  Randomness.layer
)

/** Sensors over fresh in-memory ports, with the ports themselves for inspection. */
export const sensorsLayer = Sensors.layer.pipe(Layer.provideMerge(portsLayer))

const join = (team: TeamId, actor: Actor, role: "admin" | "member", invitationId: string) =>
  Effect.gen(function*() {
    const teams = yield* TeamRepository
    const invitation = new Invitation({
      invitationId: InvitationId.make(invitationId),
      teamId: team,
      email: actor.email,
      role,
      invitedBy: owner.userId,
      status: "pending",
      createdAt: NOW,
      expiresAt: NOW + 1_000_000
    })
    yield* teams.addInvitation(invitation)
    yield* teams.acceptInvitation(
      invitation,
      new Membership({ teamId: team, userId: actor.userId, role, invitedBy: owner.userId, joinedAt: NOW })
    )
  })

/** The team "ops" (owner, admin, member) and a team "other" owned by the stranger. */
export const seedTeams = Effect.gen(function*() {
  const teams = yield* TeamRepository
  for (const [id, by] of [[teamId, owner], [otherTeamId, stranger]] as const) {
    yield* teams.create(
      new Team({ teamId: id, name: id, createdAt: NOW, updatedAt: NOW }),
      new Membership({ teamId: id, userId: by.userId, role: "owner", invitedBy: null, joinedAt: NOW })
    )
  }
  yield* join(teamId, admin, "admin", "inv-admin")
  yield* join(teamId, member, "member", "inv-member")
})
