/**
 * A config's settings as people edit them: JSON text in a textarea. Parsing says what is wrong in
 * words (the contract only accepts a JSON object), and formatting is stable so an unchanged
 * config reads the same every time it is opened.
 */
import type { ConfigSettings } from "./Platforms"

export type SettingsParse =
  | { readonly ok: true; readonly settings: ConfigSettings }
  | { readonly ok: false; readonly message: string }

export const formatSettings = (settings: ConfigSettings): string => JSON.stringify(settings, null, 2)

export const parseSettings = (text: string): SettingsParse => {
  if (text.trim() === "") return { ok: true, settings: {} }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "Settings must be a JSON object, like {\"dailyBudget\": 100}" }
  }
  return { ok: true, settings: value as ConfigSettings }
}

/** The JSON text of a value with object keys sorted: equal for values equal as JSON. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const object = value as Record<string, unknown>
  return `{${Object.keys(object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(",")}}`
}

export const jsonEquals = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b)
