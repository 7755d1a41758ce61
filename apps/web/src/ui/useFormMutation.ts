/**
 * Submitting a form through a react-query mutation: an optional client-side `validate` first
 * (field name → message; any message stops the submit), then the mutation; a refusal becomes a
 * FormProblem whose field errors land on the form's `fields`. Client messages win over server ones
 * for the same field and are cleared on the next submit.
 */
import { useMutation, type UseMutationResult } from "@tanstack/react-query"
import { useState } from "react"
import { formProblemOf, type FormProblem } from "./FormProblem"

export interface FormMutationOptions<Input, Output> {
  readonly mutationFn: (input: Input) => Promise<Output>
  /** The form's field names, as the server names them in problem `errors[].path`. */
  readonly fields: ReadonlyArray<string>
  readonly validate?: (input: Input) => Readonly<Record<string, string | undefined>>
  readonly onSuccess?: (output: Output, input: Input) => void
}

export interface FormMutation<Input, Output> {
  readonly submit: (input: Input) => void
  readonly busy: boolean
  /** The server's refusal (or a network failure), placed on fields; undefined before / after success. */
  readonly problem: FormProblem | undefined
  /** The message for one field: the client check's, else the server's. */
  readonly fieldError: (name: string) => string | undefined
  readonly mutation: UseMutationResult<Output, Error, Input>
}

export const useFormMutation = <Input, Output>(options: FormMutationOptions<Input, Output>): FormMutation<Input, Output> => {
  const mutation = useMutation<Output, Error, Input>({
    mutationFn: options.mutationFn,
    ...(options.onSuccess === undefined ? {} : { onSuccess: (output: Output, input: Input) => options.onSuccess?.(output, input) })
  })
  const [clientErrors, setClientErrors] = useState<Readonly<Record<string, string | undefined>>>({})
  const problem = mutation.error === null ? undefined : formProblemOf(mutation.error, options.fields)
  return {
    submit: (input) => {
      const errors = options.validate?.(input) ?? {}
      setClientErrors(errors)
      if (Object.values(errors).some((message) => message !== undefined)) {
        mutation.reset()
        return
      }
      mutation.mutate(input)
    },
    busy: mutation.isPending,
    problem,
    fieldError: (name) => clientErrors[name] ?? problem?.fieldErrors[name],
    mutation
  }
}
