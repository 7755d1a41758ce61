/**
 * A button that shows it is working: while `busy` it is disabled, marked aria-busy and says
 * `busyLabel` (so a double click cannot submit twice).
 */
import type { ButtonHTMLAttributes, ReactNode } from "react"

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  readonly busy?: boolean
  readonly busyLabel?: ReactNode
  /** "primary" (default), "secondary" or "danger". */
  readonly variant?: "primary" | "secondary" | "danger"
}

export const Button = ({ busy = false, busyLabel, variant = "primary", disabled, children, type = "button", className, ...rest }: ButtonProps) => (
  <button
    {...rest}
    type={type}
    className={["button", `button-${variant}`, className].filter(Boolean).join(" ")}
    disabled={busy || disabled}
    aria-busy={busy || undefined}
  >
    {busy ? <><span className="spinner" aria-hidden="true" />{busyLabel ?? children}</> : children}
  </button>
)
