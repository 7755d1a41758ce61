/**
 * CloudFormation templates as YAML: reading the short-form intrinsic tags (`!Ref X`,
 * `!GetAtt A.Arn`, `!Sub …`, `!If […]`, …) into their long form (`{ Ref: "X" }`,
 * `{ "Fn::GetAtt": ["A", "Arn"] }`, …), which is what the generator builds and the tests inspect,
 * and writing the long form back with the short tags, as people write templates.
 *
 * Written and read as YAML 1.1, the version CloudFormation's parser follows: strings that YAML 1.1
 * would take for something else ("2012-10-17", "yes", "on") are quoted on the way out.
 */
import { type Document, isMap, isScalar, isSeq, parse, parseDocument, Scalar, type Tags, visit } from "yaml"

/** The short tags CloudFormation accepts, by the function they stand for. */
const shortTags = [
  "Ref",
  "Condition",
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAtt",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "Transform",
  "If",
  "Equals",
  "Not",
  "And",
  "Or"
] as const

/** "Ref" and "Condition" are written as they are; the others as "Fn::<name>". */
const longName = (short: string) => (short === "Ref" || short === "Condition" ? short : `Fn::${short}`)

const shortName = (long: string): string | undefined => {
  const short = long === "Ref" || long === "Condition" ? long : long.startsWith("Fn::") ? long.slice(4) : undefined
  return short !== undefined && (shortTags as ReadonlyArray<string>).includes(short) ? short : undefined
}

/** `!GetAtt Resource.Attribute` names the attribute after the first dot. */
const getAtt = (value: string) => {
  const dot = value.indexOf(".")
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]
}

const longForm = (short: string, value: unknown) => ({
  [longName(short)]: short === "GetAtt" && typeof value === "string" ? getAtt(value) : value
})

const customTags: Tags = shortTags.flatMap((short) => [
  { tag: `!${short}`, resolve: (value: string) => longForm(short, value) },
  { tag: `!${short}`, collection: "seq" as const, resolve: (seq: { toJSON: () => unknown }) => longForm(short, seq.toJSON()) },
  { tag: `!${short}`, collection: "map" as const, resolve: (map: { toJSON: () => unknown }) => longForm(short, map.toJSON()) }
])

const options = { customTags, version: "1.1", uniqueKeys: true } as const

/** A template's text as plain data, intrinsic functions in long form. */
export const parseTemplate = (text: string): Record<string, unknown> => {
  const value: unknown = parse(text, options)
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("a template is a YAML mapping")
  return value as Record<string, unknown>
}

/**
 * A template's text as a YAML document for editing: its comments kept, and its short tags kept
 * as tags (not resolved, so they are written back as they were read).
 */
export const parseTemplateDocument = (text: string): Document.Parsed => {
  const document = parseDocument(text, { version: "1.1", uniqueKeys: true, logLevel: "error" })
  if (document.errors.length > 0) throw document.errors[0]
  if (!isMap(document.contents)) throw new Error("a template is a YAML mapping")
  return document
}

/**
 * Writes every long-form intrinsic of `document` (a single-key mapping `Ref:` / `Fn::…:`) with its
 * short tag, then the document as text. Key order is the document's own, so equal inputs give
 * equal text.
 */
export const stringifyTemplate = (document: Document): string => {
  visit(document, {
    Map(_, node) {
      if (node.items.length !== 1) return undefined
      const pair = node.items[0]!
      if (!isScalar(pair.key) || typeof pair.key.value !== "string") return undefined
      const short = shortName(pair.key.value)
      if (short === undefined || pair.value === null) return undefined
      let value = pair.value
      if (short === "GetAtt" && isSeq(value) && value.items.length === 2 && value.items.every((item) => isScalar(item) && typeof item.value === "string")) {
        value = new Scalar(value.items.map((item) => (item as Scalar).value).join("."))
      }
      if (!isScalar(value) && !isSeq(value) && !isMap(value)) return undefined
      value.tag = `!${short}`
      return value
    }
  })
  return document.toString({ lineWidth: 110, indentSeq: true })
}
