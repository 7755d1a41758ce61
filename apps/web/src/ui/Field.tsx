/**
 * A labelled form control: the label is bound to the control, the hint and the error are linked
 * with aria-describedby, and an error sets aria-invalid. An `<input>` by default; pass `children`
 * as a function to render another control (textarea, select) with the same wiring.
 */
import { useId, type InputHTMLAttributes, type ReactNode } from "react"

/** What a custom control must spread onto itself. */
export interface FieldControlProps {
  readonly id: string
  readonly name: string
  readonly "aria-invalid": boolean
  readonly "aria-describedby": string | undefined
}

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name" | "children"> {
  readonly label: ReactNode
  readonly name: string
  /** The message shown under the control (client check or server field error). */
  readonly error?: string | undefined
  /** Help shown under the label, always. */
  readonly hint?: ReactNode
  readonly children?: (control: FieldControlProps) => ReactNode
}

export const Field = ({ label, name, error, hint, children, ...inputProps }: FieldProps) => {
  const id = useId()
  const hintId = hint === undefined ? undefined : `${id}-hint`
  const errorId = error === undefined ? undefined : `${id}-error`
  const describedBy = [hintId, errorId].filter((x) => x !== undefined).join(" ") || undefined
  const control: FieldControlProps = { id, name, "aria-invalid": error !== undefined, "aria-describedby": describedBy }
  return (
    <div className="field" data-invalid={error !== undefined || undefined}>
      <label htmlFor={id}>{label}</label>
      {hint === undefined ? null : <div id={hintId} className="field-hint">{hint}</div>}
      {children === undefined ? <input {...inputProps} {...control} /> : children(control)}
      {error === undefined ? null : <p id={errorId} className="field-error">{error}</p>}
    </div>
  )
}
