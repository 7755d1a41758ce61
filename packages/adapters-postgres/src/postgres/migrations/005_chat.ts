/**
 * Migration 5: chat rooms and messages. Each room row carries its sequence counter `last_seq`:
 * appending bumps it under the row lock and inserts the message in the same statement, so seqs are
 * gapless per room. (room_id, seq) is the primary key and the index paging walks;
 * (room_id, sender_id, client_message_id) is the idempotency key. No foreign key to teams or users:
 * those live in other areas and the chat contract never creates them.
 */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 5,
  name: "chat",
  sql: `
    CREATE TABLE chat_rooms (
      room_id    text COLLATE "C" PRIMARY KEY,
      team_id    text COLLATE "C" NOT NULL,
      name       text NOT NULL,
      created_at bigint NOT NULL,
      last_seq   bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX chat_rooms_team_idx ON chat_rooms (team_id);

    CREATE TABLE chat_messages (
      room_id           text COLLATE "C" NOT NULL REFERENCES chat_rooms (room_id),
      seq               bigint NOT NULL,
      message_id        text COLLATE "C" NOT NULL,
      sender_id         text COLLATE "C" NOT NULL,
      client_message_id text COLLATE "C" NOT NULL,
      body              text NOT NULL,
      sent_at           bigint NOT NULL,
      CONSTRAINT chat_messages_pkey PRIMARY KEY (room_id, seq),
      CONSTRAINT chat_messages_client_key UNIQUE (room_id, sender_id, client_message_id)
    );
  `
}
