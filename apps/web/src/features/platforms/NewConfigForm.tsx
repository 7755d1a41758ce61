/** Creating a named config of a platform: name, settings as JSON, and whether it becomes current. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { platformKeys, type Platform, type PlatformConfig } from "./Platforms"
import { SettingsField } from "./SettingsField"
import { parseSettings } from "./SettingsJson"

interface NewConfigInput {
  readonly name: string
  readonly settingsText: string
  readonly makeCurrent: boolean
}

export interface NewConfigFormProps {
  readonly userId: string
  readonly platform: Platform
  readonly onCreated: (config: PlatformConfig) => void
}

export const NewConfigForm = ({ userId, platform, onCreated }: NewConfigFormProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [name, setName] = useState("")
  const [settingsText, setSettingsText] = useState("{}")
  const [makeCurrent, setMakeCurrent] = useState(false)

  const form = useFormMutation({
    fields: ["name", "settings", "makeCurrent"],
    validate: (input: NewConfigInput) => {
      const parsed = parseSettings(input.settingsText)
      return {
        name: input.name.trim() === "" ? "Enter a name for the config" : input.name.trim().length > 100 ? "Use at most 100 characters" : undefined,
        settings: parsed.ok ? undefined : parsed.message
      }
    },
    mutationFn: (input: NewConfigInput) => {
      const parsed = parseSettings(input.settingsText)
      if (!parsed.ok) throw new Error(parsed.message)
      return api.call("platforms.createConfig", {
        params: { userId, platform },
        body: { name: input.name.trim(), settings: parsed.settings, ...(input.makeCurrent ? { makeCurrent: true } : {}) }
      })
    },
    onSuccess: (config) => {
      setName("")
      setSettingsText("{}")
      setMakeCurrent(false)
      void queryClient.invalidateQueries({ queryKey: platformKeys.configs(platform) })
      onCreated(config)
    }
  })

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name, settingsText, makeCurrent })
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-config-title">
      <h3 id="new-config-title">New config</h3>
      <FormErrors problem={form.problem} />
      <Field label="Config name" name="name" required value={name} maxLength={100}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <SettingsField value={settingsText} onChange={setSettingsText} error={form.fieldError("settings")} />
      <Field label="Make it the current config" name="makeCurrent" type="checkbox" className="checkbox" checked={makeCurrent}
        onChange={(e) => setMakeCurrent(e.target.checked)} error={form.fieldError("makeCurrent")} />
      <Button type="submit" busy={form.busy} busyLabel="Creating…">Create config</Button>
    </form>
  )
}
