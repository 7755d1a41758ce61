/** A loading state, announced politely to screen readers. */
export const Loading = ({ label = "Loading…" }: { readonly label?: string }) => (
  <div role="status" className="state state-loading">
    <span className="spinner" aria-hidden="true" />
    {label}
  </div>
)
