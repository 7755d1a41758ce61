/**
 * The URL's search params for controls that live in the URL, answering a change at once.
 * BrowserRouter applies navigations in a React transition, so a control bound straight to the URL
 * shows its old value until the transition commits — a radio button snaps back for a moment after
 * the click. Here the new params are shown right away (an urgent state update) while the URL
 * catches up; once it has, or when the URL changes some other way, the URL rules again.
 */
import { useState } from "react"
import { useSearchParams } from "react-router"

export const useInstantSearchParams = (): readonly [URLSearchParams, (next: URLSearchParams) => void] => {
  const [params, setParams] = useSearchParams()
  const [pending, setPending] = useState<{ readonly over: string; readonly params: URLSearchParams } | undefined>(undefined)
  const current = pending !== undefined && pending.over === params.toString() ? pending.params : params
  const update = (next: URLSearchParams) => {
    setPending({ over: params.toString(), params: next })
    setParams(next, { replace: true })
  }
  return [current, update] as const
}
