/**
 * The ad platforms a user connects (002: platform_configs, platform_credentials and campaigns are
 * all keyed by userId#platform), the ids of this area, and the bounded JSON objects that configs
 * and campaigns carry. Bounds matter: a user's configs of one platform live in one DynamoDB item
 * (400 KB), so every free-form object is capped in size and depth.
 */
import { Schema } from "effect"
import { IdString } from "../Identifier.js"

/** The platforms we connect to. An unknown slug in a path is a ValidationError. */
export const Platform = Schema.Literals(["google", "meta", "naver", "kakao", "tiktok"])
export type Platform = typeof Platform.Type

/** A named config of one user and platform, minted by us (a ULID). */
export const ConfigId = IdString.pipe(Schema.brand("ConfigId"))
export type ConfigId = typeof ConfigId.Type

/** An advertiser account on the platform, chosen by the platform (customer id, ad account id). */
export const AccountId = IdString.pipe(Schema.brand("AccountId"))
export type AccountId = typeof AccountId.Type

/** A campaign's id on the platform. */
export const CampaignId = IdString.pipe(Schema.brand("CampaignId"))
export type CampaignId = typeof CampaignId.Type

/** Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1. */
const jsonDepth = (value: Schema.Json): number => {
  if (value === null || typeof value !== "object") return 0
  let deepest = 0
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child as Schema.Json))
  }
  return deepest + 1
}

/** The JSON text of a value with object keys sorted: equal for values equal as JSON. */
export const canonicalJson = (value: Schema.Json): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v as Schema.Json)).join(",")}]`
  const object = value as Schema.JsonObject
  return `{${
    Object.keys(object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k]!)}`)
      .join(",")
  }}`
}

/** Structural equality of JSON values, ignoring object key order. */
export const jsonEquals = (a: Schema.Json, b: Schema.Json): boolean => canonicalJson(a) === canonicalJson(b)

/** A JSON object of at most `maxChars` characters of JSON text and `maxDepth` levels of nesting. */
export const BoundedJsonObject = (maxChars: number, maxDepth = 16) =>
  Schema.JsonObject.check(
    Schema.makeFilter((o: Schema.JsonObject) =>
      jsonDepth(o) <= maxDepth || `must nest at most ${maxDepth} levels deep`
    ),
    Schema.makeFilter((o: Schema.JsonObject) =>
      JSON.stringify(o).length <= maxChars || `must be at most ${maxChars} characters as JSON`
    )
  )

/** Settings of one config. */
export const MAX_SETTINGS_CHARS = 16_384
export const ConfigSettings = BoundedJsonObject(MAX_SETTINGS_CHARS)
export type ConfigSettings = typeof ConfigSettings.Type
