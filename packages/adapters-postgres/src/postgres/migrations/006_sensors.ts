/**
 * Migration 6: devices and their readings. A reading is identified by (device_id, ts), the primary
 * key: ingest relies on it for idempotency (ON CONFLICT DO NOTHING), and range, bucket and latest
 * queries walk it (forwards for ranges, backwards for the latest). Readings have no foreign key to
 * devices: ingest has already authenticated the device, and the reading contract never creates one.
 * Epoch millis are bigint, measurements double precision (null when the reading lacks them).
 */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 6,
  name: "sensors",
  sql: `
    CREATE TABLE devices (
      device_id       text COLLATE "C" PRIMARY KEY,
      team_id         text COLLATE "C" NOT NULL,
      name            text NOT NULL,
      created_at      bigint NOT NULL,
      ingest_key_hash text NOT NULL
    );
    CREATE INDEX devices_team_idx ON devices (team_id, device_id);

    CREATE TABLE readings (
      device_id   text COLLATE "C" NOT NULL,
      ts          bigint NOT NULL,
      temperature double precision,
      humidity    double precision,
      co2         double precision,
      pm25        double precision,
      x           double precision,
      y           double precision,
      CONSTRAINT readings_pkey PRIMARY KEY (device_id, ts)
    );
  `
}
