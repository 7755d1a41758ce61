/**
 * DeviceRepository on Postgres. Ids are minted fresh, so the primary key is the whole guard: of
 * two racing creates of one id exactly one insert commits, the other becomes Conflict
 * "DeviceExists". listByTeam walks the (team_id, device_id) index, already in id order.
 */
import { Conflict, Device, type DeviceId, DeviceRecord, DeviceRepository, DeviceRepositoryError, type TeamId } from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import { conflictOrFailure, type SqlError } from "./SqlError.js"

interface DeviceRow {
  readonly [column: string]: unknown
  readonly device_id: string
  readonly team_id: string
  readonly name: string
  readonly created_at: number
}

interface DeviceRecordRow extends DeviceRow {
  readonly ingest_key_hash: string
}

const DEVICE_COLUMNS = "device_id, team_id, name, created_at"

const deviceOf = (row: DeviceRow) =>
  new Device({ deviceId: row.device_id as DeviceId, teamId: row.team_id as TeamId, name: row.name, createdAt: row.created_at })

const failure = (error: SqlError) => new DeviceRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return DeviceRepository.of({
    create: Effect.fn("DeviceRepositoryPostgres.create")(function*(record) {
      const { device } = record
      yield* sql.query(
        `INSERT INTO devices (${DEVICE_COLUMNS}, ingest_key_hash) VALUES ($1, $2, $3, $4, $5)`,
        [device.deviceId, device.teamId, device.name, device.createdAt, record.ingestKeyHash]
      ).pipe(
        Effect.mapError(conflictOrFailure(failure, (constraint) =>
          constraint === "devices_pkey" ? new Conflict({ code: "DeviceExists", message: "device already exists" }) : undefined
        ))
      )
    }),
    get: (deviceId) =>
      sql.query<DeviceRecordRow>(`SELECT ${DEVICE_COLUMNS}, ingest_key_hash FROM devices WHERE device_id = $1`, [deviceId]).pipe(
        Effect.map((rows) =>
          Option.map(Option.fromUndefinedOr(rows[0]), (row) =>
            new DeviceRecord({ device: deviceOf(row), ingestKeyHash: row.ingest_key_hash }))
        ),
        Effect.mapError(failure)
      ),
    listByTeam: (teamId) =>
      sql.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE team_id = $1 ORDER BY device_id`, [teamId]).pipe(
        Effect.map((rows) => rows.map(deviceOf)),
        Effect.mapError(failure)
      )
  })
})

export const layer: Layer.Layer<DeviceRepository, never, SqlClient> = Layer.effect(DeviceRepository, make)
