/**
 * Vitest globalSetup of apps/server: builds the server's dist (and the packages it depends on)
 * through nx once, before any test file runs, so the tests that start `dist/main.js` as child
 * processes run the real artifact and never race each other rebuilding it. A cache hit when
 * nothing changed.
 */
import { execFile } from "node:child_process"
import { join, resolve } from "node:path"

const repoRoot = resolve(import.meta.dirname, "../../../..")

export default async function buildServerOnce(): Promise<void> {
  await new Promise<void>((done, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, "node_modules/.bin/nx"), "run", "@app/server:build", "--output-style=static"],
      { cwd: repoRoot, env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => (error === null ? done() : reject(new Error(`nx build of @app/server failed:\n${stdout}\n${stderr}`)))
    )
  })
}
