/**
 * Every route of the app. Public: login, sign-up, logout, QR login. Behind login (RequireSession):
 * the features and the profile. Features load lazily (their own chunks: charts, QR, …) and own
 * everything under their path (`/teams/*` etc.).
 */
import { lazy } from "react"
import { Navigate, Route, Routes } from "react-router"
import { LoginPage } from "./auth/LoginPage"
import { LogoutPage } from "./auth/LogoutPage"
import { SignupPage } from "./auth/SignupPage"
import { ProfilePage } from "./profile/ProfilePage"
import { RequireSession } from "./session/RequireSession"
import { Layout } from "./shell/Layout"
import { NotFoundPage } from "./shell/NotFoundPage"

const TeamsPage = lazy(() => import("./features/teams/index").then((m) => ({ default: m.TeamsPage })))
const PlatformsPage = lazy(() => import("./features/platforms/index").then((m) => ({ default: m.PlatformsPage })))
const ChatPage = lazy(() => import("./features/chat/index").then((m) => ({ default: m.ChatPage })))
const SensorsPage = lazy(() => import("./features/sensors/index").then((m) => ({ default: m.SensorsPage })))
const QrLoginPage = lazy(() => import("./features/qr/index").then((m) => ({ default: m.QrLoginPage })))
const QrApprovePage = lazy(() => import("./features/qr/index").then((m) => ({ default: m.QrApprovePage })))

export const App = () => (
  <Routes>
    <Route element={<Layout />}>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/login/qr" element={<QrLoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route path="/logout" element={<LogoutPage />} />
      <Route element={<RequireSession />}>
        <Route index element={<Navigate to="/teams" replace />} />
        <Route path="/teams/*" element={<TeamsPage />} />
        <Route path="/platforms/*" element={<PlatformsPage />} />
        <Route path="/chat/*" element={<ChatPage />} />
        <Route path="/sensors/*" element={<SensorsPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="/qr/approve" element={<QrApprovePage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Route>
  </Routes>
)
