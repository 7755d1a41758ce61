/**
 * Checks that keep a malformed request from ever reaching DynamoDB: a key with a missing, empty or
 * oversized key attribute, an item over the 400 KB item limit, a number that is not finite. The
 * client runs them on every request it builds and answers a failure with RequestRejected, so a
 * bad value becomes a typed error at the boundary instead of a ValidationException from AWS.
 */
import { Result } from "effect"
import { definition, indexOf, keyAttributes, type KeyAttribute, type TableKey } from "./Tables.js"

/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024
/** Largest partition key value (bytes of UTF-8). */
export const MAX_PARTITION_KEY_BYTES = 2048
/** Largest sort key value (bytes of UTF-8). */
export const MAX_SORT_KEY_BYTES = 1024

const utf8 = new TextEncoder()
const bytes = (s: string): number => utf8.encode(s).length

/** Bytes a number takes: about one per two significant digits, plus one; at most 21. */
const numberSize = (n: number): number => {
  const digits = String(Math.abs(n)).replace(/e[+-]?\d+$/i, "").replace(".", "").replace(/^0+/, "")
  return Math.min(21, Math.ceil(Math.max(1, digits.length) / 2) + 1)
}

/**
 * The stored size of a value as DynamoDB counts it (strings and binaries by length, numbers by
 * digits, 1 byte for booleans and nulls, 3 bytes plus 1 per element for lists and maps), or a
 * message when the value cannot be stored (a non-finite number, a function, a bigint beyond the
 * number range is fine but counted as 21).
 */
export const valueSize = (value: unknown): Result.Result<number, string> => {
  if (value === null || typeof value === "boolean") return Result.succeed(1)
  if (typeof value === "string") return Result.succeed(bytes(value))
  if (typeof value === "number") {
    return Number.isFinite(value) ? Result.succeed(numberSize(value)) : Result.fail(`${value} is not a storable number`)
  }
  if (typeof value === "bigint") return Result.succeed(21)
  if (value instanceof Uint8Array) return Result.succeed(value.byteLength)
  if (value instanceof Set) {
    let total = 0
    for (const element of value) {
      const size = valueSize(element)
      if (Result.isFailure(size)) return size
      total += size.success
    }
    return Result.succeed(total)
  }
  if (Array.isArray(value)) {
    let total = 3
    for (const element of value) {
      const size = valueSize(element)
      if (Result.isFailure(size)) return size
      total += size.success + 1
    }
    return Result.succeed(total)
  }
  if (typeof value === "object") {
    let total = 3
    for (const [name, element] of Object.entries(value)) {
      if (element === undefined) continue
      const size = valueSize(element)
      if (Result.isFailure(size)) return size
      total += bytes(name) + size.success + 1
    }
    return Result.succeed(total)
  }
  if (value === undefined) return Result.succeed(0)
  return Result.fail(`a ${typeof value} cannot be stored`)
}

/** The stored size of an item: each attribute's name plus its value. */
export const itemSize = (item: Readonly<Record<string, unknown>>): Result.Result<number, string> => {
  let total = 0
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue
    const size = valueSize(value)
    if (Result.isFailure(size)) return Result.fail(`attribute ${name}: ${size.failure}`)
    total += bytes(name) + size.success
  }
  return Result.succeed(total)
}

const checkKeyValue = (attribute: KeyAttribute, value: unknown, maxBytes: number): string | undefined => {
  if (attribute.type === "S") {
    if (typeof value !== "string") return `key attribute ${attribute.name} must be a string`
    if (value.length === 0) return `key attribute ${attribute.name} must not be empty`
    if (bytes(value) > maxBytes) return `key attribute ${attribute.name} is longer than ${maxBytes} bytes`
    return undefined
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return `key attribute ${attribute.name} must be a finite number`
  return undefined
}

/** A primary key of `table`: exactly its key attributes, each well-formed. */
export const checkKey = (table: TableKey, key: Readonly<Record<string, unknown>>): string | undefined => {
  const attributes = keyAttributes(table)
  const names = Object.keys(key).filter((name) => key[name] !== undefined)
  if (names.length !== attributes.length || attributes.some((a) => !names.includes(a.name))) {
    return `key of ${table} must have exactly ${attributes.map((a) => a.name).join(", ")}`
  }
  for (const [i, attribute] of attributes.entries()) {
    const problem = checkKeyValue(attribute, key[attribute.name], i === 0 ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * A whole item of `table`: its primary key well-formed, every index key attribute it carries
 * well-formed (an absent one just keeps it out of that sparse index), and within 400 KB.
 */
export const checkItem = (table: TableKey, item: Readonly<Record<string, unknown>>): string | undefined => {
  const key: Record<string, unknown> = {}
  for (const attribute of keyAttributes(table)) key[attribute.name] = item[attribute.name]
  const keyProblem = checkKey(table, key)
  if (keyProblem !== undefined) return keyProblem
  for (const index of definition(table).indexes) {
    for (const [i, attribute] of [index.partitionKey, index.sortKey].entries()) {
      if (attribute === undefined || item[attribute.name] === undefined) continue
      const problem = checkKeyValue(attribute, item[attribute.name], i === 0 ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES)
      if (problem !== undefined) return `${problem} (index ${index.indexName})`
    }
  }
  const size = itemSize(item)
  if (Result.isFailure(size)) return size.failure
  if (size.success > MAX_ITEM_BYTES) return `item of ${size.success} bytes exceeds the ${MAX_ITEM_BYTES}-byte item limit`
  return undefined
}

/**
 * A key of an index of `table` as DynamoDB returns it in LastEvaluatedKey: the table's key plus
 * the index's key attributes, nothing else. Used to validate decoded cursors.
 */
export const checkStartKey = (
  table: TableKey,
  indexName: string | undefined,
  key: Readonly<Record<string, unknown>>
): string | undefined => {
  const attributes = new Map<string, KeyAttribute>(keyAttributes(table).map((a) => [a.name, a]))
  if (indexName !== undefined) {
    const index = indexOf(table, indexName)
    if (index === undefined) return `${table} has no index ${indexName}`
    attributes.set(index.partitionKey.name, index.partitionKey)
    if (index.sortKey !== undefined) attributes.set(index.sortKey.name, index.sortKey)
  }
  const names = Object.keys(key)
  if (names.length !== attributes.size || names.some((name) => !attributes.has(name))) {
    return `must hold exactly the key attributes ${Array.from(attributes.keys()).join(", ")}`
  }
  for (const attribute of attributes.values()) {
    const problem = checkKeyValue(attribute, key[attribute.name], MAX_PARTITION_KEY_BYTES)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * A composite key value such as userPlatform "<userId>#<platform>". Parts are domain ids, which
 * can hold neither '#' nor nothing; a part that does is refused, since the key would be ambiguous.
 */
export const compositeKey = (...parts: ReadonlyArray<string>): Result.Result<string, string> =>
  parts.some((part) => part.length === 0 || part.includes("#"))
    ? Result.fail("a composite key part is empty or contains '#'")
    : Result.succeed(parts.join("#"))
