/**
 * Row counts read straight from the tables, not through the port under test, so a race test
 * checks what was stored rather than what the adapter says it stored.
 */
import { Effect } from "effect"
import { SqlClient } from "../../src/postgres/SqlClient.js"

/** How many rows of `table` match `where` (SQL, with `params` as $1, $2, …). */
export const count = (table: string, where: string, params: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const rows = yield* sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)
    return rows[0]!.n
  })
