/**
 * The password policy of 002: at least 8 characters, an upper-case letter, a lower-case letter and
 * a digit. A weak password is answered with one FieldError per unmet rule, all at path
 * "password", and never with the password itself.
 */
import { Effect, Redacted } from "effect"
import { FieldError, ValidationError } from "../DomainError.js"

export const PASSWORD_MIN_LENGTH = 8
/** Upper bound of the input schemas, so hashing cost cannot be driven by a huge body. */
export const PASSWORD_MAX_LENGTH = 1024

export interface PasswordRule {
  readonly id: "length" | "upper" | "lower" | "digit"
  /** The rule as a requirement, for a form that ticks each one as the user types. */
  readonly requirement: string
  /** The FieldError message when the rule is not met. */
  readonly message: string
  readonly holds: (password: string) => boolean
}

/** Each rule, in the order errors are listed. The web app's sign-up form shows these same rules. */
export const passwordRules: ReadonlyArray<PasswordRule> = [
  {
    id: "length",
    requirement: `At least ${PASSWORD_MIN_LENGTH} characters`,
    message: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
    // Code points, so a character outside the BMP counts once.
    holds: (password) => Array.from(password).length >= PASSWORD_MIN_LENGTH
  },
  {
    id: "upper",
    requirement: "An upper-case letter",
    message: "must contain an upper-case letter",
    holds: (password) => /\p{Lu}/u.test(password)
  },
  {
    id: "lower",
    requirement: "A lower-case letter",
    message: "must contain a lower-case letter",
    holds: (password) => /\p{Ll}/u.test(password)
  },
  { id: "digit", requirement: "A digit", message: "must contain a digit", holds: (password) => /\p{Nd}/u.test(password) }
]

/** The rules `password` does not meet yet, in order. */
export const unmetPasswordRules = (password: string): ReadonlyArray<PasswordRule> =>
  passwordRules.filter((rule) => !rule.holds(password))

/** One FieldError (path "password") per unmet rule, in the order of `passwordRules`; empty when strong. */
export const checkPasswordPolicy = (password: string): ReadonlyArray<FieldError> =>
  unmetPasswordRules(password).map((rule) => new FieldError({ path: "password", message: rule.message }))

/** Fails with a ValidationError listing every unmet rule. */
export const validatePassword = (password: Redacted.Redacted<string>): Effect.Effect<void, ValidationError> =>
  Effect.suspend(() => {
    const errors = checkPasswordPolicy(Redacted.value(password))
    return errors.length === 0 ? Effect.void : Effect.fail(new ValidationError({ errors }))
  })
