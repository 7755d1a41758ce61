/**
 * The Sensors feature (routes under /sensors/*): pick a team at /sensors, then its dashboard at
 * /sensors/{teamId} — devices, the live floor plan and the readings charts.
 */
import { Navigate, Route, Routes } from "react-router"
import { TeamPicker } from "./TeamPicker"
import { TeamSensorsPage } from "./TeamSensorsPage"
import "./sensors.css"

export const SensorsPage = () => (
  <Routes>
    <Route index element={<TeamPicker />} />
    <Route path=":teamId" element={<TeamSensorsPage />} />
    <Route path="*" element={<Navigate to="/sensors" replace />} />
  </Routes>
)
