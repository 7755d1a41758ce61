/**
 * The routes of /work/shared/API.md, read from its route tables at test time: the contract as
 * written, for the tests that hold code against it (the OpenAPI document here, the SAM template's
 * routes in apps/lambda), so a route added to or dropped from API.md fails them. A route table is
 * any table whose header has `method` and `path`; each of its rows is one or more operations
 * ("POST (GET accepted)" is two).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** One method of one row of a route table. */
export interface ApiDocOperation {
  /** The `## ` heading above the table. */
  readonly section: string
  readonly method: string
  readonly path: string
  /** "METHOD /path" */
  readonly key: string
  /**
   * Who may call: the auth column ("–" public, "X-Device-Key …", "auth", "member", …), or "auth"
   * when the table has none and its heading says "all: auth"; undefined when API.md says nothing.
   */
  readonly auth: string | undefined
  /** The answer column ("201 `{…}`", …); "" when the table has none. */
  readonly answer: string
}

const cells = (line: string) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim())

/** Every operation of every route table of `markdown`, in the document's order. */
export const parseApiDocRoutes = (markdown: string): Array<ApiDocOperation> => {
  const operations: Array<ApiDocOperation> = []
  let section = ""
  let header: Array<string> | undefined
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim()
    if (!line.trim().startsWith("|")) {
      header = undefined
      continue
    }
    const row = cells(line)
    if (header === undefined) {
      header = row.map((c) => c.toLowerCase())
      continue
    }
    if (row.every((c) => /^-+$/.test(c))) continue
    const column = (name: string) => {
      const index = header!.findIndex((h) => h === name || h.startsWith(`${name} `))
      return index < 0 ? undefined : row[index]
    }
    const methods = column("method")
    const path = column("path")
    if (methods === undefined || path === undefined) continue
    const auth = column("auth") ?? (section.includes("all: auth") ? "auth" : undefined)
    const answer = column("answer") ?? ""
    for (const m of methods.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\b/g)) {
      operations.push({ section, method: m[1]!, path, key: `${m[1]} ${path}`, auth, answer })
    }
  }
  return operations
}

/** Public: no credentials at all. */
export const isPublic = (operation: ApiDocOperation) => operation.auth === "–" || operation.auth === "-"

/** Called with a device's key header, not a user's token. */
export const isDeviceKey = (operation: ApiDocOperation) => operation.auth?.includes("X-Device-Key") === true

/**
 * Served by each shell's realtime transport, not by the contract's handler: the QR status SSE
 * stream (API.md lists it with the QR routes; on Lambda the polling route stands in, as API
 * Gateway cannot hold a stream open). The WebSockets are not in the route tables.
 */
export const SERVED_BY_REALTIME: ReadonlySet<string> = new Set(["GET /api/qr/sse/{challengeId}"])

export const apiDocPath = fileURLToPath(new URL("../../../../../shared/API.md", import.meta.url))

/** The operations of API.md as it is now. */
export const apiDocRoutes = (): Array<ApiDocOperation> => parseApiDocRoutes(readFileSync(apiDocPath, "utf8"))
