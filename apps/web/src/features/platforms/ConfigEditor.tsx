/**
 * Editing one config, safely against other editors. The save carries the version the form was
 * loaded from; when someone else saved first the server answers 409 VersionConflict and nothing is
 * overwritten. The editor then reloads the stored config and shows both versions, and the person
 * chooses: reload theirs and reapply my changes (a three-way merge, saved only after review),
 * overwrite theirs with mine (an explicit save at their version), or discard mine.
 */
import { ApiProblem } from "@app/api"
import { useQueryClient } from "@tanstack/react-query"
import { useId, useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { type ConfigDraft, configDraftBody, ConfigDraftFields, configDraftFields, configDraftProblems } from "./ConfigDraft"
import { mergeDraft } from "./ConfigMerge"
import { platformKeys, type Platform, type PlatformConfig } from "./Platforms"
import { formatSettings, parseSettings } from "./SettingsJson"
import { useConfigs } from "./useConfigs"

interface EditInput extends ConfigDraft {
  /** The stored version this save is based on. */
  readonly version: number
}

export interface ConfigEditorProps {
  readonly userId: string
  readonly platform: Platform
  readonly config: PlatformConfig
  readonly isCurrent: boolean
  readonly onSaved: (config: PlatformConfig) => void
  readonly onCancel: () => void
}

export const isVersionConflict = (error: unknown): boolean =>
  error instanceof ApiProblem && error.status === 409 && error.problem.code === "VersionConflict"

export const ConfigEditor = ({ userId, platform, config, isCurrent, onSaved, onCancel }: ConfigEditorProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const configs = useConfigs(userId, platform)
  const titleId = useId()
  // The stored config this edit started from: its version goes with the save.
  const [base, setBase] = useState<PlatformConfig>(config)
  const [draft, setDraft] = useState<ConfigDraft>({ name: config.name, settingsText: formatSettings(config.settings), makeCurrent: false })
  const [notice, setNotice] = useState<string | undefined>(undefined)

  const form = useFormMutation({
    fields: configDraftFields,
    validate: configDraftProblems,
    mutationFn: async (input: EditInput) => {
      const body = { ...configDraftBody(input), version: input.version }
      try {
        return await api.call("platforms.updateConfig", { params: { userId, platform, configId: config.configId }, body })
      } catch (error) {
        // Load what is stored now before showing the conflict, so both versions can be compared.
        if (isVersionConflict(error)) await configs.refetch()
        throw error
      }
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: platformKeys.configs(platform) })
      onSaved(saved)
    }
  })

  const conflicted = isVersionConflict(form.mutation.error)
  const latest = configs.data?.configs.find((c) => c.configId === config.configId)

  const submit = (version: number) => {
    setNotice(undefined)
    form.submit({ ...draft, version })
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    submit(base.version)
  }

  const reapply = (theirs: PlatformConfig) => {
    const mine = parseSettings(draft.settingsText)
    if (mine.ok) {
      const merged = mergeDraft(
        { name: base.name, settings: base.settings },
        { name: draft.name.trim(), settings: mine.settings },
        { name: theirs.name, settings: theirs.settings }
      )
      setDraft({ ...draft, name: merged.name, settingsText: formatSettings(merged.settings) })
      setNotice(
        `Loaded version ${theirs.version} and reapplied your changes. Review them, then save.` +
          (merged.overlaps.length === 0 ? "" : ` Your value replaces theirs for: ${merged.overlaps.join(", ")}.`)
      )
    } else {
      setNotice(`Loaded version ${theirs.version}; your settings text is kept as it is. Review it, then save.`)
    }
    setBase(theirs)
    form.mutation.reset()
  }

  const discard = (theirs: PlatformConfig) => {
    setBase(theirs)
    setDraft({ ...draft, name: theirs.name, settingsText: formatSettings(theirs.settings) })
    setNotice(`Loaded version ${theirs.version}; your changes were discarded.`)
    form.mutation.reset()
  }

  const overwrite = (theirs: PlatformConfig) => {
    setBase(theirs)
    submit(theirs.version)
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={titleId} className="item config-editor">
      <h3 id={titleId}>Edit “{config.name}”</h3>
      <p className="field-hint">Editing version {base.version}{isCurrent ? " · the current config" : ""}</p>
      {conflicted ? null : <FormErrors problem={form.problem} />}
      {conflicted ? (
        <ConflictPanel
          base={base}
          latest={latest}
          loading={configs.isFetching}
          onReapply={reapply}
          onOverwrite={overwrite}
          onDiscard={discard}
          busy={form.busy}
        />
      ) : null}
      {notice === undefined ? null : <p role="status" className="notice">{notice}</p>}
      <ConfigDraftFields draft={draft} onChange={setDraft} fieldError={form.fieldError} offerMakeCurrent={!isCurrent} />
      <div className="button-row">
        <Button type="submit" busy={form.busy} busyLabel="Saving…" disabled={conflicted}>Save changes</Button>
        <Button variant="secondary" onClick={onCancel} disabled={form.busy}>Cancel</Button>
      </div>
    </form>
  )
}

interface ConflictPanelProps {
  readonly base: PlatformConfig
  readonly latest: PlatformConfig | undefined
  readonly loading: boolean
  readonly busy: boolean
  readonly onReapply: (theirs: PlatformConfig) => void
  readonly onOverwrite: (theirs: PlatformConfig) => void
  readonly onDiscard: (theirs: PlatformConfig) => void
}

const ConflictPanel = ({ base, latest, loading, busy, onReapply, onOverwrite, onDiscard }: ConflictPanelProps) => {
  if (latest === undefined) {
    return (
      <div role="alert" className="conflict">
        <p className="state-title">{loading ? "Someone else changed this config. Loading their version…" : "Someone else deleted this config while you were editing it."}</p>
      </div>
    )
  }
  return (
    <div role="alert" className="conflict">
      <p className="state-title">Someone else changed this config while you were editing it.</p>
      <p>
        You started from version {base.version}; it is now version {latest.version} (saved {new Date(latest.updatedAt).toLocaleString()}).
        Nothing was overwritten.
      </p>
      <details open>
        <summary>Their version</summary>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{latest.name}</dd>
          <dt>Settings</dt>
          <dd><pre className="json">{formatSettings(latest.settings)}</pre></dd>
        </dl>
      </details>
      <div className="button-row">
        <Button onClick={() => onReapply(latest)} disabled={busy}>Reload and reapply my changes</Button>
        <Button variant="danger" onClick={() => onOverwrite(latest)} busy={busy} busyLabel="Overwriting…">Overwrite with my changes</Button>
        <Button variant="secondary" onClick={() => onDiscard(latest)} disabled={busy}>Discard my changes</Button>
      </div>
    </div>
  )
}
