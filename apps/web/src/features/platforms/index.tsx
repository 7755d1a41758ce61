/**
 * The Platforms feature (routes under /platforms/*): choose one of the contract's platforms, then
 * manage that platform's configs, account credentials and campaigns at /platforms/{platform}.
 */
import { NavLink, Navigate, Route, Routes, useParams } from "react-router"
import { useSession } from "../../session/SessionContext"
import { Empty } from "../../ui/Empty"
import { usePageTitle } from "../../ui/usePageTitle"
import { CampaignsSection } from "./CampaignsSection"
import { ConfigsSection } from "./ConfigsSection"
import { CredentialsSection } from "./CredentialsSection"
import { isPlatform, PLATFORMS, platformName } from "./Platforms"
import "./platforms.css"

export const PlatformsPage = () => (
  <Routes>
    <Route index element={<PlatformChooser />} />
    <Route path=":platform" element={<PlatformPage />} />
    <Route path="*" element={<Navigate to="/platforms" replace />} />
  </Routes>
)

const PlatformNav = () => (
  <nav aria-label="Platforms" className="subnav">
    <ul>
      {PLATFORMS.map((p) => <li key={p}><NavLink to={`/platforms/${p}`}>{platformName(p)}</NavLink></li>)}
    </ul>
  </nav>
)

const PlatformChooser = () => {
  usePageTitle("Platforms")
  return (
    <section aria-labelledby="platforms-title">
      <h1 id="platforms-title">Platforms</h1>
      <p>Choose an ad platform to manage its configs, connected accounts and campaigns.</p>
      <PlatformNav />
    </section>
  )
}

const PlatformPage = () => {
  const { platform } = useParams()
  const session = useSession()
  const title = isPlatform(platform) ? platformName(platform) : "Unknown platform"
  usePageTitle(`${title} · Platforms`)
  return (
    <section aria-labelledby="platforms-title">
      <h1 id="platforms-title">{title}</h1>
      <PlatformNav />
      {!isPlatform(platform) ? (
        <Empty title={`There is no platform “${platform ?? ""}”`}>Choose one of the platforms above.</Empty>
      ) : session === undefined ? null : (
        // Keyed by platform: switching platforms starts every form and filter afresh.
        <div key={platform} className="platform-sections">
          <ConfigsSection userId={session.userId} platform={platform} />
          <CredentialsSection userId={session.userId} platform={platform} />
          <CampaignsSection userId={session.userId} platform={platform} />
        </div>
      )}
    </section>
  )
}
