/**
 * Expressions are written with placeholders only: `#name` for every attribute and `:value` for
 * every value, e.g. `attribute_not_exists(#userId) AND #status = :pending`. This module derives
 * ExpressionAttributeNames from the `#` placeholders (so no reserved word — name, status, ttl,
 * size, … — can ever break a request), and refuses, before anything is sent, an expression that
 * names an attribute bare, uses a `:value` it was not given, or is given a value it does not use
 * (DynamoDB answers all three with a ValidationException).
 */
import { Result } from "effect"

/** Words an expression may contain outside placeholders: keywords and functions. */
const KEYWORDS = new Set([
  "and",
  "or",
  "not",
  "between",
  "in",
  "set",
  "remove",
  "add",
  "delete",
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
  "size",
  "if_not_exists",
  "list_append"
])

const PLACEHOLDER = /^[A-Za-z0-9_]+$/

export interface ResolvedExpressions {
  readonly names: Record<string, string> | undefined
  readonly values: Record<string, unknown> | undefined
}

/**
 * The ExpressionAttributeNames and ExpressionAttributeValues of a request whose expressions are
 * `expressions`: every `#x` maps to attribute `x` unless `explicitNames` maps it (use that for
 * attribute names that are not `[A-Za-z0-9_]+`, such as map keys: `{ "#cfg": configId }`).
 * Fails with a message when an expression is malformed in one of the ways above.
 */
export const resolve = (
  expressions: ReadonlyArray<string | undefined>,
  explicitNames: Readonly<Record<string, string>> = {},
  values: Readonly<Record<string, unknown>> = {}
): Result.Result<ResolvedExpressions, string> => {
  const names: Record<string, string> = {}
  const usedValues = new Set<string>()
  for (const expression of expressions) {
    if (expression === undefined) continue
    for (const match of expression.matchAll(/([#:]?)([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const [, sigil, word] = match
      const at = match.index
      // A word right after a digit, '#', ':' or a letter is part of a longer token (e.g. "#a1b").
      const before = at > 0 ? expression[at - 1]! : " "
      if (/[A-Za-z0-9_#:]/.test(before)) continue
      if (sigil === "#") {
        const placeholder = `#${word}`
        names[placeholder] = explicitNames[placeholder] ?? word!
      } else if (sigil === ":") {
        usedValues.add(`:${word}`)
      } else if (!KEYWORDS.has(word!.toLowerCase())) {
        return Result.fail(`attribute "${word}" must be written as #${word} (ExpressionAttributeNames)`)
      }
    }
  }
  for (const placeholder of Object.keys(explicitNames)) {
    if (!(placeholder in names)) return Result.fail(`name ${placeholder} is not used in any expression`)
  }
  for (const placeholder of Object.keys(names)) {
    if (!PLACEHOLDER.test(placeholder.slice(1))) return Result.fail(`bad name placeholder ${placeholder}`)
  }
  for (const placeholder of usedValues) {
    if (!(placeholder in values)) return Result.fail(`value ${placeholder} is used but not given`)
  }
  for (const placeholder of Object.keys(values)) {
    if (!usedValues.has(placeholder)) return Result.fail(`value ${placeholder} is given but not used`)
  }
  return Result.succeed({
    names: Object.keys(names).length === 0 ? undefined : names,
    values: Object.keys(values).length === 0 ? undefined : { ...values }
  })
}

/** A projection of plain attribute names as `#a, #b` (the names come out of `resolve`). */
export const projection = (attributes: ReadonlyArray<string>): string | undefined =>
  attributes.length === 0 ? undefined : attributes.map((a) => `#${a}`).join(", ")
