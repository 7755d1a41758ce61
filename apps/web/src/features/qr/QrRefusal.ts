/**
 * What the phone's approve page says when the server refuses a scan, an approval or a rejection
 * (API.md "QR login"): a headline a person understands, from the status and the problem's code,
 * and the server's own detail beneath it. Field errors (a malformed link) are listed as such.
 */
import { ApiProblem, type ProblemField } from "@app/api"
import { problemMessage } from "../../ui/FormProblem"

export interface QrRefusal {
  readonly title: string
  readonly detail: string
  readonly fieldErrors: ReadonlyArray<ProblemField>
}

const titleOf = (error: ApiProblem): string => {
  switch (error.status) {
    case 400:
      return "This login link is not valid"
    case 403:
      return "Only the account that scanned this code can decide"
    case 404:
      return "This login request was not found"
    case 410:
      return "This login request has expired"
    case 409:
      switch (error.problem.code) {
        case "QrAlreadyScanned":
          return "Another account has already scanned this code"
        case "QrNotScanned":
          return "This code has not been scanned yet"
        case "QrRejected":
          return "This login request was already rejected"
        case "QrAlreadyApproved":
          return "This login request was already approved"
        default:
          return "This login request was already used"
      }
    default:
      return "Could not complete this step"
  }
}

export const describeQrRefusal = (error: unknown): QrRefusal =>
  error instanceof ApiProblem && error.status < 500
    ? { title: titleOf(error), detail: problemMessage(error), fieldErrors: error.problem.errors ?? [] }
    : { title: "Could not complete this step", detail: problemMessage(error), fieldErrors: [] }
