/**
 * The password rules, each ticked once the typed password meets it (used as the field's hint): the
 * domain's own rules, through the contract, so the form and the server cannot disagree.
 */
import { passwordRules } from "@app/api"

export const PasswordRuleList = ({ password }: { readonly password: string }) => (
  <ul className="password-rules" aria-label="Requirements">
    {passwordRules.map((rule) => {
      const met = rule.holds(password)
      return (
        <li key={rule.id} data-rule={rule.id} data-met={met} className={met ? "rule-met" : "rule-unmet"}>
          <span aria-hidden="true">{met ? "✓" : "○"}</span> {rule.requirement}
          <span className="visually-hidden">{met ? " (met)" : " (not met yet)"}</span>
        </li>
      )
    })}
  </ul>
)
