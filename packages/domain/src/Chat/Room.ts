/**
 * Chat rooms (000): a room belongs to one team and only that team's members may read or write it.
 * Room ids are ULIDs minted by `Ids`, typed as any IdString so stores may key them as they like.
 */
import { Schema } from "effect"
import { IdString } from "../Identifier.js"
import { Millis } from "../Millis.js"
import { TeamId } from "../Teams/Team.js"
import { DisplayName } from "../DisplayName.js"

export const RoomId = IdString.pipe(Schema.brand("RoomId"))
export type RoomId = typeof RoomId.Type

/** Trimmed on decode, 1-100 characters (like a team name). */
export const RoomName = DisplayName

export class Room extends Schema.Class<Room>("@app/domain/Chat/Room")({
  roomId: RoomId,
  teamId: TeamId,
  name: RoomName,
  createdAt: Millis
}) {}
