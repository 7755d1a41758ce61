/**
 * A failed submit, ready to show: the server's field errors (ApiProblem.problem.errors, each with
 * a `path` such as "email" or "profile.bio") placed on the form's fields, and one message for the
 * rest — the problem's detail, or a sentence for a network failure.
 */
import { ApiProblem, type ProblemField } from "@app/api"

export interface FormProblem {
  /** Field name → its message(s), for the fields this form has. */
  readonly fieldErrors: Readonly<Record<string, string>>
  /** A message for the whole form; undefined when the field errors say everything. */
  readonly message: string | undefined
  /** Field errors with a path that matches no field of this form (shown in the form's alert). */
  readonly unplaced: ReadonlyArray<ProblemField>
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined
  /** The problem's `code` ("EmailTaken", "VersionConflict", …), when it has one. */
  readonly code: string | undefined
}

const fieldOf = (path: string, fields: ReadonlyArray<string>): string | undefined =>
  fields.find((field) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))

/** What to say about any error (for ErrorState and forms). */
export const problemMessage = (error: unknown): string => {
  if (error instanceof ApiProblem) {
    if (error.status === 429) {
      const after = error.headers.get("retry-after")
      return after === null ? "Too many attempts. Please wait and try again." : `Too many attempts. Try again in ${after} s.`
    }
    if (error.status >= 500) return "The server could not answer. Please try again."
    return error.problem.detail ?? error.problem.title
  }
  if (error instanceof TypeError) return "Could not reach the server. Check your connection and try again."
  return error instanceof Error ? error.message : "Something went wrong."
}

export const formProblemOf = (error: unknown, fields: ReadonlyArray<string>): FormProblem => {
  if (!(error instanceof ApiProblem)) {
    return { fieldErrors: {}, message: problemMessage(error), unplaced: [], status: undefined, code: undefined }
  }
  const fieldErrors: Record<string, string> = {}
  const unplaced: Array<ProblemField> = []
  for (const fieldError of error.problem.errors ?? []) {
    const field = fieldOf(fieldError.path, fields)
    if (field === undefined) unplaced.push(fieldError)
    else fieldErrors[field] = fieldErrors[field] === undefined ? fieldError.message : `${fieldErrors[field]}; ${fieldError.message}`
  }
  const allPlaced = Object.keys(fieldErrors).length > 0 && unplaced.length === 0
  return {
    fieldErrors,
    message: allPlaced ? "Please correct the highlighted fields." : problemMessage(error),
    unplaced,
    status: error.status,
    code: error.problem.code
  }
}
