/**
 * What the new-config form and the config editor share: the draft a person edits (a name, the
 * settings as JSON text, whether it becomes the current config), its fields, its client checks
 * and the body it is sent as.
 */
import { displayNameProblem, MAX_DISPLAY_NAME_LENGTH } from "../../ui/DisplayNameRule"
import { Field } from "../../ui/Field"
import { parseSettings } from "./SettingsJson"

export interface ConfigDraft {
  readonly name: string
  readonly settingsText: string
  readonly makeCurrent: boolean
}

/** The form's field names, as the server names them in a refusal. */
export const configDraftFields = ["name", "settings", "makeCurrent"] as const

export const configDraftProblems = (draft: ConfigDraft) => {
  const parsed = parseSettings(draft.settingsText)
  return {
    name: displayNameProblem(draft.name, "Enter a name for the config"),
    settings: parsed.ok ? undefined : parsed.message
  }
}

/** The body of a create or an update (the client check has stopped settings that do not parse). */
export const configDraftBody = (draft: ConfigDraft) => {
  const parsed = parseSettings(draft.settingsText)
  if (!parsed.ok) throw new Error(parsed.message)
  return { name: draft.name.trim(), settings: parsed.settings, ...(draft.makeCurrent ? { makeCurrent: true } : {}) }
}

export interface ConfigDraftFieldsProps {
  readonly draft: ConfigDraft
  readonly onChange: (draft: ConfigDraft) => void
  readonly fieldError: (name: string) => string | undefined
  /** Whether to offer "Make it the current config" (not for the config that already is). */
  readonly offerMakeCurrent: boolean
}

export const ConfigDraftFields = ({ draft, onChange, fieldError, offerMakeCurrent }: ConfigDraftFieldsProps) => (
  <>
    <Field label="Config name" name="name" required value={draft.name} maxLength={MAX_DISPLAY_NAME_LENGTH}
      onChange={(e) => onChange({ ...draft, name: e.target.value })} error={fieldError("name")} />
    <Field label="Settings (JSON)" name="settings" error={fieldError("settings")} hint={"A JSON object, e.g. {\"dailyBudget\": 100, \"currency\": \"KRW\"}"}>
      {(control) => (
        <textarea {...control} className="json-input" rows={6} spellCheck={false} value={draft.settingsText}
          onChange={(e) => onChange({ ...draft, settingsText: e.target.value })} />
      )}
    </Field>
    {offerMakeCurrent ? (
      <Field label="Make it the current config" name="makeCurrent" type="checkbox" className="checkbox" checked={draft.makeCurrent}
        onChange={(e) => onChange({ ...draft, makeCurrent: e.target.checked })} error={fieldError("makeCurrent")} />
    ) : null}
  </>
)
