/** Registering a device in a team (owners and admins): a name; the answer carries the one-time ingest key. */
import { useQueryClient } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"
import { MAX_DISPLAY_NAME_LENGTH } from "../../ui/DisplayNameRule"
import { NameForm } from "../../ui/NameForm"
import { sensorKeys, type CreatedDevice } from "./SensorTypes"

export interface RegisterDeviceFormProps {
  readonly teamId: string
  readonly onRegistered: (device: CreatedDevice) => void
}

export const RegisterDeviceForm = ({ teamId, onRegistered }: RegisterDeviceFormProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  return (
    <NameForm
      title="Register a device"
      headingLevel={3}
      label="Device name"
      whenEmpty="Enter a name for the device"
      fields={["name", "teamId"]}
      className="register-device"
      inputProps={{ maxLength: MAX_DISPLAY_NAME_LENGTH, placeholder: "e.g. Meeting room 2" }}
      save={(name) => api.call("sensors.createDevice", { body: { teamId, name } })}
      clearOnSave
      onSaved={(device) => {
        void queryClient.invalidateQueries({ queryKey: sensorKeys.devices(teamId) })
        onRegistered(device)
      }}
      submitLabel="Register device"
      busyLabel="Registering…"
    />
  )
}
