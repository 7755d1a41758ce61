/** The settings textarea of the config forms: JSON, monospaced, with what it expects as a hint. */
import { Field } from "../../ui/Field"

export interface SettingsFieldProps {
  readonly value: string
  readonly onChange: (text: string) => void
  readonly error: string | undefined
}

export const SettingsField = ({ value, onChange, error }: SettingsFieldProps) => (
  <Field label="Settings (JSON)" name="settings" error={error} hint={"A JSON object, e.g. {\"dailyBudget\": 100, \"currency\": \"KRW\"}"}>
    {(control) => (
      <textarea {...control} className="json-input" rows={6} spellCheck={false} value={value}
        onChange={(e) => onChange(e.target.value)} />
    )}
  </Field>
)
