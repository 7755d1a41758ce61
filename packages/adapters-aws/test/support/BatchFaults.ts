/**
 * Makes the real DynamoDB Local answer batches the way DynamoDB does under load: after the real
 * BatchGetItem / BatchWriteItem has run, part of its work is reported back as UnprocessedKeys /
 * UnprocessedItems (for reads the withheld items are dropped from Responses; for writes the items
 * were written, and writing them again is harmless). The adapters' retry of unprocessed work is
 * then exercised against the real emulator rather than a stub.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"

export interface BatchFaults {
  /** How many responses were cut so far. */
  readonly injected: () => number
  /** Stops cutting responses. */
  readonly remove: () => void
}

/**
 * For the next `rounds` batch responses, withholds all but the first of the keys or writes of
 * each table. Install on `client.raw` (the document client shares its middleware stack).
 */
export const withholdBatchWork = (client: Pick<DynamoDBClient, "middlewareStack">, rounds: number): BatchFaults => {
  let injected = 0
  const name = `batchFaults${Math.floor(performance.now() * 1000)}`
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args)
      const command = context.commandName
      if (injected >= rounds || (command !== "BatchGetItemCommand" && command !== "BatchWriteItemCommand")) return result
      const input = args.input as { RequestItems: Record<string, { Keys?: Array<unknown> } | Array<unknown>> }
      const output = result.output as {
        Responses?: Record<string, Array<Record<string, unknown>>>
        UnprocessedKeys?: Record<string, { Keys: Array<unknown> }>
        UnprocessedItems?: Record<string, Array<unknown>>
      }
      let cut = false
      for (const [table, request] of Object.entries(input.RequestItems)) {
        if (command === "BatchGetItemCommand") {
          const keys = (request as { Keys: Array<Record<string, unknown>> }).Keys
          if (keys.length < 2) continue
          const withheld = keys.slice(1)
          const withheldIds = new Set(withheld.map((k) => JSON.stringify(Object.entries(k).sort())))
          const responses = output.Responses?.[table] ?? []
          output.Responses = {
            ...output.Responses,
            [table]: responses.filter((item) =>
              !withheldIds.has(JSON.stringify(Object.entries(item).filter(([k]) => k in keys[0]!).sort()))
            )
          }
          output.UnprocessedKeys = { ...output.UnprocessedKeys, [table]: { Keys: withheld } }
          cut = true
        } else {
          const writes = request as Array<unknown>
          if (writes.length < 2) continue
          output.UnprocessedItems = { ...output.UnprocessedItems, [table]: writes.slice(1) }
          cut = true
        }
      }
      if (cut) injected++
      return result
    },
    { step: "initialize", name }
  )
  return { injected: () => injected, remove: () => void client.middlewareStack.remove(name) }
}
