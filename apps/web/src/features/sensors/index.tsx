/**
 * The Sensors feature (routes under /sensors/*): a placeholder for the helper who builds it. Keep
 * exporting `SensorsPage`; nested routes go inside it with a relative <Routes>.
 */
import { usePageTitle } from "../../ui/usePageTitle"

export const SensorsPage = () => {
  usePageTitle("Sensors")
  return (
    <section aria-labelledby="sensors-title">
      <h1 id="sensors-title">Sensors</h1>
    </section>
  )
}
