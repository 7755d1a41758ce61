/**
 * The password policy of packages/domain/src/Auth/PasswordPolicy.ts (DESIGN.md "Auth"), mirrored
 * for the sign-up form so each rule can be ticked as the user types: at least 8 characters (code
 * points), an upper-case letter, a lower-case letter and a digit (Unicode categories Lu, Ll, Nd,
 * as the server checks). The web app may not import the domain; the server stays the judge and
 * its 400 lists each unmet rule on the "password" field. Keep both in step.
 */
export const PASSWORD_MIN_LENGTH = 8

export interface PasswordRule {
  readonly id: "length" | "upper" | "lower" | "digit"
  readonly label: string
  readonly holds: (password: string) => boolean
}

export const passwordRules: ReadonlyArray<PasswordRule> = [
  { id: "length", label: `At least ${PASSWORD_MIN_LENGTH} characters`, holds: (p) => Array.from(p).length >= PASSWORD_MIN_LENGTH },
  { id: "upper", label: "An upper-case letter", holds: (p) => /\p{Lu}/u.test(p) },
  { id: "lower", label: "A lower-case letter", holds: (p) => /\p{Ll}/u.test(p) },
  { id: "digit", label: "A digit", holds: (p) => /\p{Nd}/u.test(p) }
]

export const unmetPasswordRules = (password: string): ReadonlyArray<PasswordRule> =>
  passwordRules.filter((rule) => !rule.holds(password))
