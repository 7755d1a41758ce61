/** A chat message as the REST routes and the socket's `message` frames carry it (sentAt in ISO-8601). */
import type { ResponseOf, RouteNamed } from "@app/api"

export type ChatMessage = ResponseOf<RouteNamed<"chat.listMessages">>["messages"][number]
export type ChatMessagePage = ResponseOf<RouteNamed<"chat.listMessages">>
export type ChatRoom = ResponseOf<RouteNamed<"chat.listRooms">>[number]
