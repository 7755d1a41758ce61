/**
 * A client middleware that writes down every command the DynamoDB client sends, so tests can
 * assert what a use case costs in round trips (`recorder.take()` → ["TransactWriteItems"]) and that
 * no request path ever Scans. It sits in the SDK's `initialize` step, so it sees each command once
 * (the SDK's own retries of a throttled request are not counted again). Commands listed in
 * `forbid` are refused there, before anything is sent: the test layers forbid Scan, so a Scan
 * anywhere on a request path fails the test that reaches it.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"

export interface RecordedCommand {
  /** The command without its "Command" suffix: "GetItem", "TransactWriteItems", "Scan", … */
  readonly command: string
  /** The tables it touched, by physical name with the client's table prefix removed. */
  readonly tables: ReadonlyArray<string>
}

export interface CommandRecorder {
  /** Command names recorded since the last take (or since creation), then forgets them. */
  readonly take: () => ReadonlyArray<string>
  /** Like take, with the tables each command touched. */
  readonly takeDetailed: () => ReadonlyArray<RecordedCommand>
  /** Every command recorded since creation; take does not clear it. */
  readonly all: () => ReadonlyArray<RecordedCommand>
  /** Commands refused by the middleware (never sent). */
  readonly forbidden: ReadonlySet<string>
  /** Used by `attach`; not for tests. */
  readonly record: (entry: RecordedCommand) => void
}

export interface RecorderOptions {
  /** Command names the middleware refuses to send, e.g. ["Scan"]. */
  readonly forbid?: ReadonlyArray<string>
}

export const make = (options: RecorderOptions = {}): CommandRecorder => {
  let pending: Array<RecordedCommand> = []
  const everything: Array<RecordedCommand> = []
  const takeDetailed = () => {
    const taken = pending
    pending = []
    return taken
  }
  return {
    take: () => takeDetailed().map((entry) => entry.command),
    takeDetailed,
    all: () => [...everything],
    forbidden: new Set(options.forbid ?? []),
    record: (entry) => {
      pending.push(entry)
      everything.push(entry)
    }
  }
}

/** The middleware's name in the client's stack. */
export const MIDDLEWARE_NAME = "appCommandRecorder"

/** An error the middleware throws for a forbidden command; DynamoError maps it to RequestRejected. */
class ForbiddenCommand extends Error {
  override readonly name = "ForbiddenCommand"
}

const tablesOf = (input: Record<string, unknown>): Array<string> => {
  const tables = new Set<string>()
  if (typeof input["TableName"] === "string") tables.add(input["TableName"])
  const requestItems = input["RequestItems"]
  if (requestItems !== null && typeof requestItems === "object") {
    for (const name of Object.keys(requestItems)) tables.add(name)
  }
  const transactItems = input["TransactItems"]
  if (Array.isArray(transactItems)) {
    for (const item of transactItems as ReadonlyArray<Record<string, { TableName?: unknown } | undefined>>) {
      for (const op of Object.values(item)) {
        if (typeof op?.TableName === "string") tables.add(op.TableName)
      }
    }
  }
  return Array.from(tables)
}

/** Adds the recording middleware to `client` (a DynamoDBClient, or a document client sharing its stack). */
export const attach = (
  client: Pick<DynamoDBClient, "middlewareStack">,
  recorder: CommandRecorder,
  tablePrefix = ""
): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? "Unknown").replace(/Command$/, "")
      const input = (args.input ?? {}) as Record<string, unknown>
      const tables = tablesOf(input).map((name) => (name.startsWith(tablePrefix) ? name.slice(tablePrefix.length) : name))
      recorder.record({ command, tables })
      if (recorder.forbidden.has(command)) {
        throw new ForbiddenCommand(`${command} is forbidden on request paths (tables: ${tables.join(", ")})`)
      }
      return next(args)
    },
    { step: "initialize", name: MIDDLEWARE_NAME, override: true }
  )
}
