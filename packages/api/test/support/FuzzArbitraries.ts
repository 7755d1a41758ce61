/**
 * The fast-check pieces both fuzzers draw from: the contract's in-process one
 * (packages/api/test/Fuzz.test.ts) and the server's over a real socket
 * (apps/server/test/HttpFuzz.test.ts). Hostile text, routes' path and field names, odd content
 * types, nested JSON and tampered tokens are the same whichever layer is fuzzed; what a transport
 * adds (encodings, framing, raw bytes) stays in that layer's fuzzer.
 */
import * as fc from "fast-check"

/** Strings that have broken parsers, routers, decoders or queries somewhere. */
export const hostileStrings: ReadonlyArray<string> = [
  "",
  ".",
  "..",
  "../..",
  "%",
  "%zz",
  "%E0%A4%A",
  "%ED%A0%80",
  "%00",
  "%2F",
  "%2e%2e",
  "%252e",
  "a;b=c",
  "me",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "prototype",
  "0",
  "-1",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "99999999999999999999999",
  "\u0000",
  "\u202e",
  "é",
  "😀",
  "' OR 1=1 --"
]

export interface HostileTextOptions {
  /** The longest random string (of code units, graphemes or bytes); unbounded if left out. */
  readonly maxLength?: number
  /** Lengths of the over-long strings of one repeated character. */
  readonly long: { readonly min: number; readonly max: number }
}

/** Random strings of every unit, the known hostile ones, and over-long ones. */
export const makeHostileText = ({ maxLength, long }: HostileTextOptions): fc.Arbitrary<string> => {
  const bound = maxLength === undefined ? {} : { maxLength }
  return fc.oneof(
    fc.string(bound),
    fc.string({ unit: "grapheme", ...bound }),
    fc.string({ unit: "binary", ...bound }),
    fc.constantFrom(...hostileStrings),
    fc.integer(long).map((n) => "x".repeat(n))
  )
}

/**
 * One of `valuesOf(name)`, asked for only when a value is drawn: fixtures exist only after
 * beforeAll, the arbitraries before it.
 */
export const lazyValues = (valuesOf: (name: string) => ReadonlyArray<string>) => (name: string): fc.Arbitrary<string> =>
  fc.constant(null).chain(() => fc.constantFrom(...valuesOf(name)))

/**
 * The fixture called `name` (a team's id as `teamId`, say) as the one valid value of the route
 * parameter or field of that name; undefined when the fixtures have no such string.
 */
export const fixtureNamed = (fixtures: object, name: string): ReadonlyArray<string> | undefined => {
  const value: unknown = (fixtures as Record<string, unknown>)[name]
  return typeof value === "string" ? [value] : undefined
}

/** The `{name}` parameters of a route's path template, in order. */
export const pathParameters = (template: string): ReadonlyArray<string> => [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!)

/** A route's path template with its parameters replaced by `values`, in order. */
export const fillPath = (template: string, values: ReadonlyArray<string>): string => {
  let i = 0
  return template.replace(/\{[A-Za-z0-9_]+\}/g, () => values[i++]!)
}

/** The field names of a struct schema (a route's query or body); none for anything else. */
export const fieldsOf = (schema: unknown): ReadonlyArray<string> =>
  // Schemas are callable objects.
  (typeof schema === "object" || typeof schema === "function") && schema !== null && "fields" in schema
    ? Object.keys((schema as { fields: object }).fields)
    : []

/** Nested arrays or objects, `depth` levels deep, as JSON text. */
export const nestedJson = (depth: number, kind: "array" | "object"): string =>
  kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`

/** Content types a JSON API is sent by mistake or by malice, next to `application/json`. */
export const oddContentTypes: ReadonlyArray<string> = [
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "application/json; charset=UTF-16LE",
  "application/json;charset=\"utf-8\"",
  "application/json; foo=\"bar",
  "application/json;;;",
  "application/json; =",
  "APPLICATION/JSON",
  "application/problem+json",
  "application/vnd.api+json",
  "application/jsonx",
  "application/json, text/plain",
  "text/plain",
  "text/plain; charset=latin1",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=x",
  "multipart/form-data; boundary=",
  "application/octet-stream",
  "*/*",
  "",
  " ",
  ";",
  "/",
  "application/"
]

/** `token` with one character changed: well-formed, but its signature no longer verifies. */
export const tampered = (token: string): fc.Arbitrary<string> =>
  fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1))
