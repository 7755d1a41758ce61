/**
 * The forms that end in a session (log in, sign up): a form mutation whose answer carries a token
 * pair, kept (every tab learns of it) before the user goes on to `next`. `alreadySignedIn` tells
 * the page to redirect to `next` instead of showing the form: someone is logged in and no submit
 * of this form is under way (while one is, its success handler navigates by itself).
 */
import { useNavigate } from "react-router"
import { useSession, useSessionManager } from "../session/SessionContext"
import type { TokenPair } from "../session/SessionManager"
import { type FormMutation, type FormMutationOptions, useFormMutation } from "../ui/useFormMutation"

export interface SignInForm<Input, Output> {
  readonly form: FormMutation<Input, Output>
  readonly alreadySignedIn: boolean
}

export const useSignInForm = <Input, Output extends TokenPair>(
  next: string,
  options: Omit<FormMutationOptions<Input, Output>, "onSuccess">
): SignInForm<Input, Output> => {
  const manager = useSessionManager()
  const session = useSession()
  const navigate = useNavigate()
  const form = useFormMutation({
    ...options,
    onSuccess: (answer: Output) => {
      manager.signIn(answer)
      void navigate(next, { replace: true })
    }
  })
  return { form, alreadySignedIn: session !== undefined && !form.busy }
}
