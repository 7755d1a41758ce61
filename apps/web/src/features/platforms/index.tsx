/**
 * The Platforms feature (routes under /platforms/*): a placeholder for the helper who builds it. Keep
 * exporting `PlatformsPage`; nested routes go inside it with a relative <Routes>.
 */
import { usePageTitle } from "../../ui/usePageTitle"

export const PlatformsPage = () => {
  usePageTitle("Platforms")
  return (
    <section aria-labelledby="platforms-title">
      <h1 id="platforms-title">Platforms</h1>
    </section>
  )
}
