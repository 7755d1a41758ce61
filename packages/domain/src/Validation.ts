/**
 * Turns a Schema decoding failure into the domain's ValidationError, one FieldError per failing
 * field with a dotted path ("readings.3.temperature"), so every layer reports bad input the same way.
 */
import { Effect, Schema, SchemaIssue } from "effect"
import { FieldError, ValidationError } from "./DomainError.js"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

export const fieldErrors = (error: Schema.SchemaError, prefix?: string): ReadonlyArray<FieldError> =>
  formatter(error.issue).issues.map((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null && "key" in segment ? String(segment.key) : String(segment)
    )
    return new FieldError({
      path: [prefix, ...path].filter((p) => p !== undefined && p !== "").join("."),
      message: issue.message
    })
  })

export const toValidationError = (error: Schema.SchemaError, prefix?: string): ValidationError =>
  new ValidationError({ errors: fieldErrors(error, prefix) })

/** Decodes unknown input with every failing field reported, failing with ValidationError. */
export const decodeInput = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, prefix?: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (input: unknown): Effect.Effect<S["Type"], ValidationError> =>
    decode(input, { errors: "all" }).pipe(Effect.mapError((error) => toValidationError(error, prefix)))
}
