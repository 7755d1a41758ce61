/**
 * A destructive action behind an inline confirmation: the first press asks ("Delete “Summer”?")
 * with the confirm button focused, Escape or "Cancel" backs out, and the action's failure is shown
 * in place. Inline rather than window.confirm so it is styled, testable and keyboard friendly.
 */
import { useEffect, useRef, useState } from "react"
import { Button } from "../../ui/Button"
import { problemMessage } from "../../ui/FormProblem"

export interface ConfirmButtonProps {
  /** The first button's text, e.g. "Delete". */
  readonly label: string
  /** The first button's accessible name when the label alone is ambiguous in a list. */
  readonly accessibleLabel?: string
  /** The question, e.g. "Delete the config “Summer”?". */
  readonly question: string
  /** The confirming button's text, e.g. "Delete config". */
  readonly confirmLabel: string
  readonly busyLabel?: string
  readonly onConfirm: () => Promise<unknown>
}

export const ConfirmButton = ({ label, accessibleLabel, question, confirmLabel, busyLabel, onConfirm }: ConfirmButtonProps) => {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const groupRef = useRef<HTMLDivElement>(null)
  const mounted = useRef(true)
  useEffect(() => () => void (mounted.current = false), [])
  useEffect(() => {
    if (asking) groupRef.current?.querySelector<HTMLButtonElement>("button")?.focus()
  }, [asking])

  if (!asking) {
    return (
      <Button variant="secondary" aria-label={accessibleLabel} onClick={() => { setError(undefined); setAsking(true) }}>
        {label}
      </Button>
    )
  }
  const confirm = () => {
    setBusy(true)
    setError(undefined)
    onConfirm().then(
      () => {
        if (!mounted.current) return
        setBusy(false)
        setAsking(false)
      },
      (failure: unknown) => {
        if (!mounted.current) return
        setBusy(false)
        setError(failure)
      }
    )
  }
  return (
    <div
      ref={groupRef}
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !busy) setAsking(false)
      }}
    >
      <span className="confirm-question">{question}</span>
      <Button variant="danger" busy={busy} busyLabel={busyLabel} onClick={confirm}>{confirmLabel}</Button>
      <Button variant="secondary" disabled={busy} onClick={() => setAsking(false)}>Cancel</Button>
      {error === undefined ? null : <p role="alert" className="field-error">{problemMessage(error)}</p>}
    </div>
  )
}
