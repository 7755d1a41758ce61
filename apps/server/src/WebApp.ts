/**
 * The built web app (apps/web/dist) at `/`: its files as they are, hashed assets cached for good,
 * index.html never cached, and every deep link (`/teams/123`) answered with index.html so the
 * SPA's router takes over. Without a build (no index.html) a small page says so instead of a
 * bare 404, and the API works as ever.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import fastifyStatic from "@fastify/static"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"

const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Web app not built</title></head>
<body>
<h1>The web app is not built</h1>
<p>This server serves the built web app from its WEB_ROOT, which has no <code>index.html</code>.
Build it with <code>npx nx run @app/web:build</code> (or point WEB_ROOT at a build) and restart.</p>
<p>The API is up: <a href="/api/health">/api/health</a>, <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body>
</html>
`

export interface WebApp {
  /** Whether a build with an index.html was found. */
  readonly built: boolean
  /** For a request no route matched: true when it was answered as a deep link. */
  readonly answerDeepLink: (request: FastifyRequest, reply: FastifyReply) => boolean
}

const isNavigation = (request: FastifyRequest): boolean => {
  if (request.method !== "GET" && request.method !== "HEAD") return false
  const path = request.url.split("?")[0] ?? "/"
  if (path === "/api" || path.startsWith("/api/") || path === "/ws" || path.startsWith("/ws/")) return false
  // A missing file (a name with an extension) is a 404, not the app.
  const last = path.slice(path.lastIndexOf("/") + 1)
  if (last.includes(".")) return false
  const accept = request.headers.accept
  return accept === undefined || accept.includes("text/html") || accept.includes("*/*")
}

export const register = async (app: FastifyInstance, webRoot: string): Promise<WebApp> => {
  const built = existsSync(join(webRoot, "index.html"))
  if (!built) {
    app.log.warn({ webRoot }, "no web app build found (index.html missing); serving a placeholder page")
    const page = (_request: FastifyRequest, reply: FastifyReply) =>
      reply.code(200).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(notBuiltPage)
    app.get("/", page)
    return {
      built,
      answerDeepLink: (request, reply) => {
        if (!isNavigation(request)) return false
        void page(request, reply)
        return true
      }
    }
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: "/",
    index: ["index.html"],
    // Directory listings and dotfiles are never served.
    list: false,
    dotfiles: "ignore",
    setHeaders: (reply, path) => {
      if (path.endsWith("index.html")) void reply.header("cache-control", "no-cache")
      // Vite's content-hashed output: a changed file gets a new name.
      else if (path.includes("/assets/")) void reply.header("cache-control", "public, max-age=31536000, immutable")
    }
  })
  return {
    built,
    answerDeepLink: (request, reply) => {
      if (!isNavigation(request)) return false
      void reply.header("cache-control", "no-cache").sendFile("index.html")
      return true
    }
  }
}
