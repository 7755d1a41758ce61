/**
 * The Sensors feature (routes under /sensors/*): pick a team at /sensors, then its dashboard at
 * /sensors/{teamId} — devices, the live floor plan and the readings charts.
 */
import { Navigate, Route, Routes } from "react-router"
import { TeamPicker } from "../../shell/TeamPicker"
import { TeamSensorsPage } from "./TeamSensorsPage"
import "./sensors.css"

export const SensorsPage = () => (
  <Routes>
    <Route
      index
      element={
        <TeamPicker
          title="Sensors"
          intro="Choose a team to see its devices, their live positions and their readings."
          feature="sensors"
          purpose="to add sensors."
        />
      }
    />
    <Route path=":teamId" element={<TeamSensorsPage />} />
    <Route path="*" element={<Navigate to="/sensors" replace />} />
  </Routes>
)
