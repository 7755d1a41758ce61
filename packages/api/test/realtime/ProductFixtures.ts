/**
 * Builds the state the realtime tests need through the product's own use cases (signed-up users
 * with real access tokens, teams with members, rooms, devices with ingest keys), so the sessions
 * are exercised against the same rules the REST routes are.
 */
import {
  Actor,
  Auth,
  Chat,
  ClientMessageId,
  CreateTeamInput,
  MessageBody,
  type RoomId,
  RoomName,
  Sensors,
  SignupInput,
  Teams,
  type TeamId,
  DeviceName,
  type DeviceId,
  Email
} from "@app/domain"
import { Effect, Schema } from "effect"

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
let counter = 0

export interface TestUser {
  readonly actor: Actor
  readonly token: string
}

/** A new user with a real access token. */
export const signUp = (name: string) =>
  Effect.gen(function*() {
    const auth = yield* Auth
    const session = yield* auth.signup(Schema.decodeUnknownSync(SignupInput)({
      email: `rt-${name}-${run}-${++counter}@example.com`,
      password: "Realtime-Passw0rd",
      name
    }))
    return {
      actor: new Actor({ userId: session.user.userId, email: session.user.email }),
      token: session.tokens.accessToken
    } satisfies TestUser
  })

/** A new team owned by `owner` with `members` joined through accepted invitations. */
export const teamOf = (owner: TestUser, ...members: ReadonlyArray<TestUser>) =>
  Effect.gen(function*() {
    const teams = yield* Teams
    const team = yield* teams.create(owner.actor, Schema.decodeUnknownSync(CreateTeamInput)({ name: `team ${++counter}` }))
    for (const member of members) {
      const invitation = yield* teams.invite(owner.actor, team.teamId, {
        email: Schema.decodeUnknownSync(Email)(member.actor.email),
        role: "member"
      })
      yield* teams.accept(member.actor, invitation.invitationId)
    }
    return team.teamId
  })

export const roomOf = (member: TestUser, teamId: TeamId, name = "general") =>
  Effect.gen(function*() {
    const chat = yield* Chat
    const room = yield* chat.createRoom(member.actor, { teamId, name: Schema.decodeUnknownSync(RoomName)(name) })
    return room.roomId
  })

/** Sends `bodies` in order; the stored messages. */
export const say = (from: TestUser, roomId: RoomId, ...bodies: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const chat = yield* Chat
    const sent = []
    for (const body of bodies) {
      const result = yield* chat.send(from.actor, roomId, {
        body: MessageBody.make(body),
        clientMessageId: ClientMessageId.make(`cid-${run}-${++counter}`)
      })
      sent.push(result.message)
    }
    return sent
  })

/** A device of the team (the owner creates it) and its ingest key. */
export const deviceOf = (owner: TestUser, teamId: TeamId, name = "tracker") =>
  Effect.gen(function*() {
    const sensors = yield* Sensors
    const created = yield* sensors.createDevice(owner.actor, { teamId, name: Schema.decodeUnknownSync(DeviceName)(name) })
    return { deviceId: created.device.deviceId, ingestKey: created.ingestKey }
  })

/** Ingests one position reading over the device-key path. */
export const reportPosition = (
  device: { readonly deviceId: DeviceId; readonly ingestKey: string },
  position: { readonly x: number; readonly y: number; readonly ts: number }
) =>
  Effect.gen(function*() {
    const sensors = yield* Sensors
    return yield* sensors.ingest(device.deviceId, device.ingestKey, { readings: [position] })
  })
