/** The password rules, each ticked once the typed password meets it (used as the field's hint). */
import { passwordRules } from "./PasswordRules"

export const PasswordRuleList = ({ password }: { readonly password: string }) => (
  <ul className="password-rules" aria-label="Requirements">
    {passwordRules.map((rule) => {
      const met = rule.holds(password)
      return (
        <li key={rule.id} data-rule={rule.id} data-met={met} className={met ? "rule-met" : "rule-unmet"}>
          <span aria-hidden="true">{met ? "✓" : "○"}</span> {rule.label}
          <span className="visually-hidden">{met ? " (met)" : " (not met yet)"}</span>
        </li>
      )
    })}
  </ul>
)
