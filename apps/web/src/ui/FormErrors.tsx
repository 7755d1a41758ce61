/**
 * The form-level part of a failed submit, as an alert: the problem's detail (or "correct the
 * highlighted fields" when the field errors say it all) and any field error with no field on this
 * form. Field errors themselves go to each Field's `error`.
 */
import type { FormProblem } from "./FormProblem"

export const FormErrors = ({ problem }: { readonly problem: FormProblem | undefined }) => {
  if (problem === undefined || (problem.message === undefined && problem.unplaced.length === 0)) return null
  return (
    <div role="alert" className="form-errors">
      {problem.message === undefined ? null : <p>{problem.message}</p>}
      {problem.unplaced.length === 0 ? null : (
        <ul>
          {problem.unplaced.map((e, i) => <li key={i}>{e.path === "body" ? e.message : `${e.path}: ${e.message}`}</li>)}
        </ul>
      )}
    </div>
  )
}
