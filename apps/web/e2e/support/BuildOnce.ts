/**
 * Vitest globalSetup of the e2e project: builds the server and the web app through nx once per
 * run, before any browser test starts, so e2e always tests the current code (a cache hit when
 * nothing changed). The built web app is then copied to a temporary directory that this run's
 * servers serve: other runs on the machine rebuild apps/web/dist (vite empties it first), and a
 * page must not lose its chunks to that in the middle of a test.
 */
import { execFile } from "node:child_process"
import { cp, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { TestProject } from "vitest/node"

const repoRoot = resolve(import.meta.dirname, "../../../..")
const webDist = join(repoRoot, "apps/web/dist")

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's copy of the built web app (WEB_ROOT for the servers). */
    readonly e2eWebRoot: string
  }
}

const buildServerAndWeb = () =>
  new Promise<void>((done, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, "node_modules/.bin/nx"), "run-many", "-t", "build", "-p", "@app/server", "@app/web", "--output-style=static"],
      { cwd: repoRoot, env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error === null ? done() : reject(new Error(`nx build of @app/server and @app/web failed:\n${stdout}\n${stderr}`)))
    )
  })

export default async function buildOnce(project: TestProject): Promise<() => Promise<void>> {
  await buildServerAndWeb()
  const webRoot = await mkdtemp(join(tmpdir(), "web-e2e-root-"))
  await cp(webDist, webRoot, { recursive: true })
  project.provide("e2eWebRoot", webRoot)
  return () => rm(webRoot, { recursive: true, force: true })
}
