/** An empty state: what is missing and, as children, how to add the first one. */
import type { ReactNode } from "react"

export const Empty = ({ title, children }: { readonly title: string; readonly children?: ReactNode }) => (
  <div className="state state-empty" data-testid="empty-state">
    <p className="state-title">{title}</p>
    {children}
  </div>
)
