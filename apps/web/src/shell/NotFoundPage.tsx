/** Any path no route matches. */
import { Link } from "react-router"
import { usePageTitle } from "../ui/usePageTitle"

export const NotFoundPage = () => {
  usePageTitle("Page not found")
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>There is nothing at this address.</p>
      <p><Link to="/">Go to the start page</Link></p>
    </section>
  )
}
