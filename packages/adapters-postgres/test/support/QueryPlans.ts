/**
 * Query plans, for the tests that show a request path is served by an index: EXPLAIN a statement
 * (JSON format, every node of the plan tree in one flat list) and assert on its nodes. `explain`
 * turns sequential scans off first, so a small test table cannot make one look cheaper: a
 * statement whose plan still has a Seq Scan has no usable index. `explainAsPlanned` leaves the
 * planner's settings alone, for tests that load enough rows for an index to be its own choice.
 * SHOW_PLANS=1 prints every plan explained.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { type Sql, SqlClient } from "../../src/postgres/SqlClient.js"

export interface PlanNode {
  readonly "Node Type": string
  readonly "Index Name"?: string
  readonly "Scan Direction"?: string
  readonly Plans?: ReadonlyArray<PlanNode>
}

/** The nodes of a plan, root first (the root holds the whole tree). */
export type Plan = ReadonlyArray<PlanNode>

const nodesOf = (node: PlanNode): Plan => [node, ...(node.Plans ?? []).flatMap(nodesOf)]

/** The plan as JSON, for assertion messages. */
export const show = (plan: Plan): string => JSON.stringify(plan[0])

const explainWith = (sql: Sql, text: string, params: ReadonlyArray<unknown>) =>
  sql.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params).pipe(
    Effect.map((rows): Plan => {
      const raw = rows[0]!["QUERY PLAN"]
      const explained = (typeof raw === "string" ? JSON.parse(raw) : raw) as ReadonlyArray<{ Plan: PlanNode }>
      const plan = nodesOf(explained[0]!.Plan)
      if (process.env["SHOW_PLANS"] !== undefined) console.info(`${text.trim()}\n${JSON.stringify(plan[0], null, 2)}\n`)
      return plan
    })
  )

/** The plan of `text` with `params`, sequential scans disabled (for this statement only). */
export const explain = (text: string, params: ReadonlyArray<unknown> = []) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return yield* sql.transaction((tx) =>
      tx.query("SET LOCAL enable_seqscan = off").pipe(Effect.andThen(explainWith(tx, text, params)))
    )
  })

/** The plan the planner chooses for `text` with `params`, no setting touched. */
export const explainAsPlanned = (text: string, params: ReadonlyArray<unknown> = []) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return yield* explainWith(sql, text, params)
  })

/** The names of the indexes the plan reads. */
export const indexesOf = (plan: Plan): ReadonlyArray<string> =>
  plan.flatMap((node) => (node["Index Name"] === undefined ? [] : [node["Index Name"]]))

export const assertNoSeqScan = (plan: Plan): void =>
  assert.deepStrictEqual(plan.filter((node) => node["Node Type"] === "Seq Scan"), [], show(plan))

/** No sequential scan, and every one of `indexes` read (some index, when none is named). */
export const assertUsesIndexes = (plan: Plan, ...indexes: ReadonlyArray<string>): void => {
  assertNoSeqScan(plan)
  const used = indexesOf(plan)
  if (indexes.length === 0) assert.isNotEmpty(used, show(plan))
  else assert.includeMembers([...used], [...indexes], show(plan))
}

/** No sort step of any kind: the rows come out of the index in the order asked for. */
export const assertNoSort = (plan: Plan): void =>
  assert.deepStrictEqual(plan.filter((node) => node["Node Type"].includes("Sort")), [], show(plan))
