/**
 * Slow, salted, self-describing password hashing as a port: the stored string names its algorithm
 * and cost, so verification reads them back and the cost can rise without breaking old hashes.
 * The real implementation needs node:crypto (src/node/ScryptPasswordHasher.ts).
 */
import { Context, Effect, type Redacted, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"

export class PasswordHasherError extends Schema.TaggedError<PasswordHasherError>()("PasswordHasherError", {
  reason: StoreFailure
}) {}

export class PasswordHasher extends Context.Service<PasswordHasher, {
  /** A fresh salt and the derived key, in one self-describing string. */
  readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string, PasswordHasherError>
  /** Whether `password` matches `hash`, in constant time; false for a hash it cannot read. */
  readonly verify: (password: Redacted.Redacted<string>, hash: string) => Effect.Effect<boolean, PasswordHasherError>
}>()("@app/domain/Auth/PasswordHasher") {}
