/**
 * The three states of a react-query query in one place: Loading while pending, ErrorState (with
 * retry) on failure, Empty when `isEmpty(data)`, otherwise `children(data)`.
 */
import type { UseQueryResult } from "@tanstack/react-query"
import type { ReactNode } from "react"
import { ErrorState } from "./ErrorState"
import { Loading } from "./Loading"

export interface QueryViewProps<A> {
  readonly query: UseQueryResult<A>
  readonly children: (data: A) => ReactNode
  readonly isEmpty?: (data: A) => boolean
  readonly empty?: ReactNode
  readonly loadingLabel?: string
  readonly errorTitle?: string
}

export const QueryView = <A,>({ query, children, isEmpty, empty, loadingLabel, errorTitle }: QueryViewProps<A>) => {
  if (query.isPending) return <Loading {...(loadingLabel === undefined ? {} : { label: loadingLabel })} />
  if (query.isError) {
    return <ErrorState error={query.error} {...(errorTitle === undefined ? {} : { title: errorTitle })} onRetry={() => void query.refetch()} />
  }
  if (isEmpty?.(query.data) === true && empty !== undefined) return <>{empty}</>
  return <>{children(query.data)}</>
}
