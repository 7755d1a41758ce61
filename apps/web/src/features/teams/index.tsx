/**
 * The Teams feature (routes under /teams/*): the list of the caller's teams with pending
 * invitations and team creation (/teams), all invitations (/teams/invitations) and one team's
 * page (/teams/:teamId).
 */
import { Route, Routes } from "react-router"
import { InvitationsPage } from "./InvitationsPage"
import { TeamPage } from "./TeamPage"
import { TeamsListPage } from "./TeamsListPage"
import "./teams.css"

export const TeamsPage = () => (
  <div className="teams-feature">
    <Routes>
      <Route index element={<TeamsListPage />} />
      <Route path="invitations" element={<InvitationsPage />} />
      <Route path=":teamId" element={<TeamPage />} />
    </Routes>
  </div>
)
