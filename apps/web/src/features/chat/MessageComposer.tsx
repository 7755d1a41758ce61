/**
 * The send box: a labelled textarea (Enter sends, Shift+Enter starts a new line) checked against
 * the domain's body rule (1–4000 characters, not only whitespace). A message is handed to the
 * room session at once and shows in the log as "sending", so the box is free for the next one.
 */
import { useState, type FormEvent, type KeyboardEvent } from "react"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"

export const MAX_MESSAGE_LENGTH = 4000

/** Length in code points, as the server counts (an emoji is one character). */
const lengthOf = (text: string) => [...text].length

export const validateMessage = (body: string): string | undefined => {
  if (body.trim() === "") return "Write a message first"
  const length = lengthOf(body)
  if (length > MAX_MESSAGE_LENGTH) return `Messages are limited to ${MAX_MESSAGE_LENGTH} characters (this one has ${length})`
  return undefined
}

export interface MessageComposerProps {
  readonly roomName: string
  readonly disabled: boolean
  readonly onSend: (body: string) => void
}

export const MessageComposer = ({ roomName, disabled, onSend }: MessageComposerProps) => {
  const [body, setBody] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const submit = () => {
    const problem = validateMessage(body)
    setError(problem)
    if (problem !== undefined) return
    onSend(body)
    setBody("")
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    submit()
  }
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      submit()
    }
  }
  return (
    <form onSubmit={onSubmit} noValidate className="composer" aria-label={`Send a message to #${roomName}`}>
      <Field label="Message" name="body" error={error} hint="Enter sends; Shift+Enter starts a new line.">
        {(control) => (
          <textarea {...control} rows={2} value={body} disabled={disabled}
            onChange={(e) => {
              setBody(e.target.value)
              if (error !== undefined) setError(undefined)
            }}
            onKeyDown={onKeyDown} />
        )}
      </Field>
      <Button type="submit" disabled={disabled}>Send</Button>
    </form>
  )
}
