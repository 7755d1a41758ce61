/**
 * The routes of /work/shared/API.md, read from its route tables at test time (as
 * packages/api/test/OpenApi.test.ts reads them), so a route added to the contract and not to the
 * template fails the template test. Each row gives the section, its methods ("POST (GET
 * accepted)" is two), its path and who may call it.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export interface ContractRoute {
  readonly section: string
  readonly method: string
  readonly path: string
  /** "–" for public routes, "X-Device-Key …" for device-key routes, else who may call (auth, member, owner, …). */
  readonly auth: string
  /** "METHOD /path" */
  readonly key: string
}

const cells = (line: string) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim())

export const parseContract = (markdown: string): Array<ContractRoute> => {
  const routes: Array<ContractRoute> = []
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
    const method = column("method")
    const path = column("path")
    if (method === undefined || path === undefined) continue
    // A table without an auth column says in its heading who may call ("all: auth").
    const auth = column("auth") ?? (section.includes("all: auth") ? "auth" : "")
    for (const m of method.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\b/g)) {
      routes.push({ section, method: m[1]!, path, auth, key: `${m[1]} ${path}` })
    }
  }
  return routes
}

/** Public: no credentials at all. */
export const isPublic = (route: ContractRoute) => route.auth === "–" || route.auth === "-"

/** Called with a device's key header, not a user's token. */
export const isDeviceKey = (route: ContractRoute) => route.auth.includes("X-Device-Key")

/**
 * Served by a realtime transport, not by a function's handler: the QR status SSE stream (API
 * Gateway cannot hold one open; the polling route stands in). The WebSockets are not in the
 * route tables (API.md describes them below them).
 */
export const SERVED_BY_REALTIME = new Set(["GET /api/qr/sse/{challengeId}"])

export const apiMdPath = fileURLToPath(new URL("../../../../../shared/API.md", import.meta.url))

export const contractRoutes = (): Array<ContractRoute> => parseContract(readFileSync(apiMdPath, "utf8"))
