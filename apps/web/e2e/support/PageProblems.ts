/**
 * What went wrong in a browser context that no assertion looked at: console errors, uncaught page
 * errors, requests that failed on the network and answers of 500 or more. A test ends by asserting
 * the list is empty (allowing, by pattern, what it provoked on purpose), so a broken chunk, a CSP
 * refusal or a crashing component cannot hide behind a green assertion.
 */
import type { BrowserContext } from "playwright-core"

export interface PageProblems {
  /** Every problem seen so far, as one line each, minus those matching an `allow` pattern. */
  readonly list: (allow?: ReadonlyArray<RegExp>) => ReadonlyArray<string>
}

/**
 * Requests cancelled by the page itself are not failures: a navigation aborts what the old page
 * had in flight, and closing an EventSource or a WebSocket cancels its request.
 */
const isCancellation = (failure: string) => failure.includes("net::ERR_ABORTED")

export const collectPageProblems = (context: BrowserContext): PageProblems => {
  const seen: Array<string> = []
  context.on("console", (message) => {
    if (message.type() !== "error") return
    const url = message.location().url
    seen.push(`console error: ${message.text()}${url === "" ? "" : ` (${url})`}`)
  })
  context.on("weberror", (error) => {
    seen.push(`page error: ${error.error().stack ?? error.error().message}`)
  })
  context.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "failed"
    if (!isCancellation(failure)) seen.push(`request failed: ${request.method()} ${request.url()} ${failure}`)
  })
  context.on("response", (response) => {
    if (response.status() >= 500) seen.push(`server error: ${response.status()} ${response.request().method()} ${response.url()}`)
  })
  return {
    list: (allow = []) => seen.filter((line) => !allow.some((pattern) => pattern.test(line)))
  }
}
