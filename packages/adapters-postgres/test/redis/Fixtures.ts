/**
 * Entities for the Redis adapters' own tests (the contract suites bring their own).
 */
import {
  ClientMessageId,
  DeviceId,
  Message,
  MessageBody,
  MessageId,
  QrChallenge,
  QrChallengeId,
  QrRequester,
  type QrStatus,
  Reading,
  RoomId,
  TeamId,
  UserId
} from "@app/domain"
import { randomBytes } from "node:crypto"

export const freshId = (label: string): string => `${label}-${randomBytes(8).toString("hex")}`

export const challengeOf = (
  id: string,
  now: number,
  status: QrStatus = "pending",
  who: { readonly scannedBy?: string; readonly approvedBy?: string } = {}
): QrChallenge =>
  new QrChallenge({
    challengeId: QrChallengeId.make(id.padEnd(16, "0")),
    scanKeyHash: "a".repeat(64),
    pollSecretHash: "b".repeat(64),
    status,
    createdAt: now,
    expiresAt: now + 120_000,
    updatedAt: now,
    requester: new QrRequester({ ip: "203.0.113.9", userAgent: "test agent", createdAt: now }),
    scannedBy: who.scannedBy === undefined ? null : UserId.make(who.scannedBy),
    approvedBy: who.approvedBy === undefined ? null : UserId.make(who.approvedBy)
  })

export const roomOf = (label: string): RoomId => RoomId.make(freshId(label))
export const teamOf = (label: string): TeamId => TeamId.make(freshId(label))
export const deviceOf = (label: string): DeviceId => DeviceId.make(freshId(label))

export const messageOf = (roomId: RoomId, seq: number, text = `message ${seq}`): Message =>
  new Message({
    messageId: MessageId.make("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    roomId,
    seq,
    senderId: UserId.make("u-sender"),
    body: MessageBody.make(text),
    clientMessageId: ClientMessageId.make(`c-${seq}`),
    sentAt: 1_700_000_000_000
  })

export const readingOf = (deviceId: DeviceId, ts: number, temperature = 20): Reading =>
  new Reading({ deviceId, ts, temperature })
