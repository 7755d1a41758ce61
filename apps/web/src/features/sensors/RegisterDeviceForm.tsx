/** Registering a device in a team (owners and admins): a name; the answer carries the one-time ingest key. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { sensorKeys, type CreatedDevice } from "./SensorTypes"

export interface RegisterDeviceFormProps {
  readonly teamId: string
  readonly onRegistered: (device: CreatedDevice) => void
}

export const RegisterDeviceForm = ({ teamId, onRegistered }: RegisterDeviceFormProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [name, setName] = useState("")
  const form = useFormMutation({
    fields: ["name", "teamId"],
    validate: (input: { readonly name: string }) => ({
      name: input.name.trim() === "" ? "Enter a name for the device" : input.name.trim().length > 100 ? "Use at most 100 characters" : undefined
    }),
    mutationFn: (input: { readonly name: string }) => api.call("sensors.createDevice", { body: { teamId, name: input.name.trim() } }),
    onSuccess: (device) => {
      setName("")
      // The answer (with the key) must not linger in the mutation's memory.
      form.mutation.reset()
      void queryClient.invalidateQueries({ queryKey: sensorKeys.devices(teamId) })
      onRegistered(device)
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name })
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="register-device-title" className="register-device">
      <h3 id="register-device-title">Register a device</h3>
      <FormErrors problem={form.problem} />
      <Field label="Device name" name="name" required maxLength={100} value={name} placeholder="e.g. Meeting room 2"
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Button type="submit" busy={form.busy} busyLabel="Registering…">Register device</Button>
    </form>
  )
}
