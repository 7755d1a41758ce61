/** A failed load, as an alert with the reason and a retry button. */
import { Button } from "./Button"
import { problemMessage } from "./FormProblem"

export interface ErrorStateProps {
  readonly error: unknown
  readonly title?: string
  readonly onRetry?: () => void
}

export const ErrorState = ({ error, title = "Could not load this", onRetry }: ErrorStateProps) => (
  <div role="alert" className="state state-error">
    <p className="state-title">{title}</p>
    <p>{problemMessage(error)}</p>
    {onRetry === undefined ? null : <Button variant="secondary" onClick={onRetry}>Try again</Button>}
  </div>
)
