/**
 * The port the Postgres adapters are written against: parameterised queries and transactions, and
 * nothing else. Two implementations serve it with the same SQL — a pg pool on a Postgres server
 * (PgPool.ts) and PGlite, Postgres in WASM, for the embedded single-instance default (Pglite.ts) —
 * so every repository adapter runs unchanged on both.
 */
import { Context, type Effect } from "effect"
import type { SqlError } from "./SqlError.js"

export type Row = Record<string, unknown>

export interface TransactionOptions {
  /**
   * "serializable" for rules a row lock cannot express; the transaction is then retried on a
   * serialization failure or deadlock (so its body must be safe to run again — an Effect is).
   */
  readonly isolation?: "read committed" | "serializable"
}

export interface Sql {
  readonly query: <R extends Row = Row>(text: string, params?: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<R>, SqlError>
  /** Runs a script of several statements without parameters (migrations). */
  readonly script: (text: string) => Effect.Effect<void, SqlError>
  /**
   * Runs `body` in one transaction on one connection: committed when it succeeds, rolled back
   * when it fails or is interrupted. Inside a transaction, `transaction` joins the outer one.
   */
  readonly transaction: <A, E, R>(
    body: (sql: Sql) => Effect.Effect<A, E, R>,
    options?: TransactionOptions
  ) => Effect.Effect<A, E | SqlError, R>
}

export class SqlClient extends Context.Service<SqlClient, Sql>()("@app/adapters-postgres/SqlClient") {}
