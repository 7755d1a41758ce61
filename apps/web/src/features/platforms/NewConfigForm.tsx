/** Creating a named config of a platform: name, settings as JSON, and whether it becomes current. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { type ConfigDraft, configDraftBody, ConfigDraftFields, configDraftFields, configDraftProblems } from "./ConfigDraft"
import { platformKeys, type Platform, type PlatformConfig } from "./Platforms"

export interface NewConfigFormProps {
  readonly userId: string
  readonly platform: Platform
  readonly onCreated: (config: PlatformConfig) => void
}

const emptyDraft: ConfigDraft = { name: "", settingsText: "{}", makeCurrent: false }

export const NewConfigForm = ({ userId, platform, onCreated }: NewConfigFormProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [draft, setDraft] = useState<ConfigDraft>(emptyDraft)

  const form = useFormMutation({
    fields: configDraftFields,
    validate: configDraftProblems,
    mutationFn: (input: ConfigDraft) =>
      api.call("platforms.createConfig", { params: { userId, platform }, body: configDraftBody(input) }),
    onSuccess: (config) => {
      setDraft(emptyDraft)
      void queryClient.invalidateQueries({ queryKey: platformKeys.configs(platform) })
      onCreated(config)
    }
  })

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit(draft)
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-config-title">
      <h3 id="new-config-title">New config</h3>
      <FormErrors problem={form.problem} />
      <ConfigDraftFields draft={draft} onChange={setDraft} fieldError={form.fieldError} offerMakeCurrent />
      <Button type="submit" busy={form.busy} busyLabel="Creating…">Create config</Button>
    </form>
  )
}
