/**
 * A form whose only input is a name (create a team or a room, rename a team, register a device):
 * the DisplayName check on the client, the trimmed name sent by `save`, the server's refusal on
 * the field or above the form. The form's heading is its accessible name. After a success the
 * answer goes to `onSaved` and is not kept by the form (a device's answer carries its secret key).
 */
import { type FormEvent, type InputHTMLAttributes, type ReactNode, useId, useState } from "react"
import { Button } from "./Button"
import { displayNameProblem } from "./DisplayNameRule"
import { Field } from "./Field"
import { FormErrors } from "./FormErrors"
import { useFormMutation } from "./useFormMutation"

export interface NameFormProps<Output> {
  readonly title: ReactNode
  readonly headingLevel: 2 | 3
  /** The field's label, e.g. "Team name". */
  readonly label: string
  /** The message for a blank name, e.g. "Enter a team name". */
  readonly whenEmpty: string
  readonly initialName?: string
  /** Field names the server may name in its refusal (default ["name"]). */
  readonly fields?: ReadonlyArray<string>
  /** Sends the trimmed name. */
  readonly save: (name: string) => Promise<Output>
  readonly onSaved?: (output: Output) => void
  /** Empties the field after a success (a form for the next new thing). */
  readonly clearOnSave?: boolean
  /** A status message shown after a success, until the next submit. */
  readonly savedNotice?: string
  readonly submitLabel: string
  readonly busyLabel: string
  readonly className?: string
  readonly inputProps?: Pick<InputHTMLAttributes<HTMLInputElement>, "maxLength" | "placeholder">
}

export const NameForm = <Output,>(props: NameFormProps<Output>) => {
  const { title, headingLevel, label, whenEmpty, save, onSaved, clearOnSave = false, savedNotice } = props
  const titleId = useId()
  const [name, setName] = useState(props.initialName ?? "")
  const [saved, setSaved] = useState(false)
  const form = useFormMutation({
    fields: props.fields ?? ["name"],
    validate: (input: { readonly name: string }) => ({ name: displayNameProblem(input.name, whenEmpty) }),
    mutationFn: (input: { readonly name: string }) => {
      setSaved(false)
      return save(input.name.trim())
    },
    onSuccess: (output) => {
      if (clearOnSave) setName("")
      setSaved(true)
      form.mutation.reset()
      onSaved?.(output)
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name })
  }
  const Heading = headingLevel === 2 ? "h2" : "h3"
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={titleId} className={props.className}>
      <Heading id={titleId}>{title}</Heading>
      <FormErrors problem={form.problem} />
      {saved && savedNotice !== undefined ? <p role="status" className="notice">{savedNotice}</p> : null}
      <Field label={label} name="name" required {...props.inputProps} value={name}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Button type="submit" busy={form.busy} busyLabel={props.busyLabel}>{props.submitLabel}</Button>
    </form>
  )
}
