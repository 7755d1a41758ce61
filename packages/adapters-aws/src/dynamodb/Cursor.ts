/**
 * Opaque page cursors: a Query's LastEvaluatedKey as base64url JSON, handed to clients as an
 * opaque string and turned back into an ExclusiveStartKey only after it has been checked — it must
 * hold exactly the key attributes of the table (and index) being queried, each well-formed, and
 * belong to the partition being queried. Anything else, garbage or a cursor of another query, is
 * a ValidationError on the field that carried it ("cursor" by default), never a request that
 * DynamoDB would reject.
 */
import { ValidationError } from "@app/domain"
import { Effect } from "effect"
import { checkStartKey } from "./RequestGuard.js"
import { definition, indexOf, type TableKey } from "./Tables.js"

/** Longest cursor accepted: keys are at most 2 KB + 1 KB per attribute, so this is generous. */
export const MAX_CURSOR_LENGTH = 8192

export type StartKey = Readonly<Record<string, string | number>>

export const encode = (lastEvaluatedKey: StartKey): string =>
  Buffer.from(JSON.stringify(lastEvaluatedKey), "utf8").toString("base64url")

export interface CursorTarget {
  readonly table: TableKey
  readonly index?: string
  /** The value of the queried partition key (of the index when there is one). */
  readonly partition: string | number
  /** The name of the request field the cursor came in, for the error. */
  readonly field?: string
}

const invalid = (field: string, why: string) => ValidationError.single(field, `is not a valid cursor: ${why}`)

export const decode = (cursor: string, target: CursorTarget): Effect.Effect<StartKey, ValidationError> =>
  Effect.suspend(() => {
    const field = target.field ?? "cursor"
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
      return Effect.fail(invalid(field, "not base64url"))
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    } catch {
      return Effect.fail(invalid(field, "not JSON"))
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return Effect.fail(invalid(field, "not a key"))
    }
    const key = parsed as Record<string, unknown>
    const problem = checkStartKey(target.table, target.index, key)
    if (problem !== undefined) return Effect.fail(invalid(field, problem))
    const partitionName = target.index === undefined
      ? definition(target.table).partitionKey.name
      : indexOf(target.table, target.index)!.partitionKey.name
    if (key[partitionName] !== target.partition) return Effect.fail(invalid(field, "belongs to another query"))
    return Effect.succeed(key as StartKey)
  })
