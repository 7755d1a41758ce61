/**
 * An inline confirmation for a consequential action (transfer ownership, remove, leave, delete):
 * an alertdialog that takes the focus (on Cancel, the safe choice), says what will happen, and is
 * dismissed with Cancel or Escape. A refusal from the server is shown inside it.
 */
import { useEffect, useId, useRef, type ReactNode } from "react"
import { Button } from "../../ui/Button"
import { problemMessage } from "../../ui/FormProblem"

export interface ConfirmPanelProps {
  readonly title: string
  readonly children: ReactNode
  readonly confirmLabel: string
  readonly busyLabel?: string
  readonly busy: boolean
  /** The last attempt's failure, shown as an alert. */
  readonly error?: unknown
  readonly onConfirm: () => void
  readonly onCancel: () => void
}

export const ConfirmPanel = ({ title, children, confirmLabel, busyLabel, busy, error, onConfirm, onCancel }: ConfirmPanelProps) => {
  const id = useId()
  const cancel = useRef<HTMLButtonElement>(null)
  useEffect(() => cancel.current?.focus(), [])
  return (
    <div
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      className="confirm-panel"
      onKeyDown={(event) => {
        if (event.key === "Escape" && !busy) {
          event.stopPropagation()
          onCancel()
        }
      }}
    >
      <p id={`${id}-title`} className="confirm-title">{title}</p>
      <div id={`${id}-body`}>{children}</div>
      {error === undefined || error === null ? null : <p role="alert" className="field-error">{problemMessage(error)}</p>}
      <div className="button-row">
        <Button variant="danger" busy={busy} busyLabel={busyLabel} onClick={onConfirm}>{confirmLabel}</Button>
        {/* A plain button: the shared Button takes no ref, and this one receives the focus. */}
        <button ref={cancel} type="button" className="button button-secondary" disabled={busy} onClick={onCancel}>Cancel</button>
      </div>
    </div>
  )
}
