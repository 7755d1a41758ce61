/**
 * What a racing call failed with, as one string the tests can compare and list: a domain error's
 * code (Conflict "VersionConflict"), else the error's tag; an exit that did not fail with an
 * error (a success, a defect, an interruption) shows as itself, so it never passes for a code.
 */
import { Exit, Option } from "effect"

export const errorCode = (exit: Exit.Exit<unknown, unknown>): string => {
  const found = Exit.findErrorOption(exit)
  if (Option.isNone(found)) return String(exit)
  const error = found.value as { readonly _tag: string; readonly code?: string }
  return error.code ?? error._tag
}
