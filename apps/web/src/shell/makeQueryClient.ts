/**
 * The react-query client of the app: a refusal (4xx) is not retried — asking again gets the same
 * answer — while network failures and 5xx are retried twice.
 */
import { ApiProblem } from "@app/api"
import { QueryClient } from "@tanstack/react-query"

export const makeQueryClient = (): QueryClient =>
  new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof ApiProblem && error.status < 500) && failures < 2,
        staleTime: 10_000
      },
      mutations: { retry: false }
    }
  })
