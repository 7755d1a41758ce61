/**
 * Shared setup of the chat use-case tests: the Chat service over the in-memory adapters, teams
 * with members built straight through the TeamRepository, and ids from the clock and Web Crypto.
 */
import { Effect, Layer, Schema } from "effect"
import { Actor } from "../../src/Actor.js"
import { Chat, type ChatOptions } from "../../src/Chat/Chat.js"
import { ChatBus } from "../../src/Chat/ChatBus.js"
import { ChatBusMemory, ChatRepositoryMemory } from "../../src/Chat/memory/index.js"
import { ClientMessageId, MessageBody } from "../../src/Chat/Message.js"
import { Ids } from "../../src/Ids.js"
import { Randomness } from "../../src/Randomness.js"
import { Invitation, InvitationId, Membership, Team, TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import * as TeamRepositoryMemory from "../../src/Teams/memory/TeamRepositoryMemory.js"
import { Email, UserId } from "../../src/Users/User.js"

export const actor = (name: string): Actor =>
  new Actor({ userId: UserId.make(`user-${name}`), email: Schema.decodeSync(Email)(`${name}@example.com`) })

export const body = (text: string) => MessageBody.make(text)
export const cid = (label: string | number) => ClientMessageId.make(`c-${label}`)

let teams = 0

/** A new team owned by `owner`, with `members` as plain members. */
export const team = (owner: Actor, ...members: ReadonlyArray<Actor>) =>
  Effect.gen(function*() {
    const repo = yield* TeamRepository
    const teamId = TeamId.make(`team-${++teams}`)
    yield* repo.create(
      new Team({ teamId, name: `team ${teams}`, createdAt: 0, updatedAt: 0 }),
      new Membership({ teamId, userId: owner.userId, role: "owner", invitedBy: null, joinedAt: 0 })
    )
    for (const member of members) yield* join(teamId, member)
    return teamId
  })

/** Makes `member` a member of the team (through an accepted invitation, as the rules require). */
export const join = (teamId: TeamId, member: Actor) =>
  Effect.gen(function*() {
    const repo = yield* TeamRepository
    const invitation = new Invitation({
      invitationId: InvitationId.make(`inv-${teamId}-${member.userId}`),
      teamId,
      email: member.email,
      role: "member",
      invitedBy: member.userId,
      status: "pending",
      createdAt: 0,
      expiresAt: 1
    })
    yield* repo.addInvitation(invitation)
    yield* repo.acceptInvitation(invitation, new Membership({ teamId, userId: member.userId, role: "member", invitedBy: null, joinedAt: 0 }))
  })

/** The in-memory world: Chat over fresh in-memory stores, with the stores themselves exposed. */
export const world = (options: ChatOptions = {}, bus: Layer.Layer<ChatBus> = ChatBusMemory.layer) =>
  Chat.layerWith(options).pipe(
    Layer.provideMerge(Layer.mergeAll(ChatRepositoryMemory.layer, bus, TeamRepositoryMemory.layer)),
    Layer.provideMerge(Ids.layer),
    Layer.provide(Randomness.layer)
  )
