/**
 * What an exit failed with, as the tests compare it: the tags of the port's error and of its
 * StoreFailure reason (["DeviceRepositoryError", "Unexpected"]). A success or a defect has no
 * error and answers undefined, so it never passes for an expected failure.
 */
import { Exit, Option } from "effect"

export const failureTags = (exit: Exit.Exit<unknown, unknown>): readonly [string, string | undefined] | undefined => {
  const found = Exit.findErrorOption(exit)
  if (Option.isNone(found)) return undefined
  const error = found.value as { readonly _tag: string; readonly reason?: { readonly _tag: string } }
  return [error._tag, error.reason?._tag]
}
