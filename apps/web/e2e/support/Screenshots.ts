/**
 * Screenshots as test artifacts: PNGs under apps/web/e2e/artifacts/<test file>/ (gitignored),
 * numbered in the order they were taken so a flow reads from top to bottom. The test file comes
 * from vitest's running test, so callers only name the step.
 */
import { mkdir, rm } from "node:fs/promises"
import { basename, join, resolve } from "node:path"
import type { Locator, Page } from "playwright-core"
import { expect } from "vitest"

export const artifactsRoot = resolve(import.meta.dirname, "..", "artifacts")

const counters = new Map<string, number>()

const directoryOfCurrentTest = (): string => {
  const testPath = expect.getState().testPath
  const file = testPath === undefined ? "unknown" : basename(testPath).replace(/\.e2e\.test\.ts$/, "").replace(/\.[cm]?tsx?$/, "")
  return join(artifactsRoot, file)
}

/** Saves a PNG of a page (full page) or of one element; returns the PNG bytes. */
export const screenshot = async (target: Page | Locator, name: string): Promise<Buffer> => {
  const dir = directoryOfCurrentTest()
  // The first screenshot of a run clears the last run's, so no stale step is left behind.
  if (!counters.has(dir)) await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const n = (counters.get(dir) ?? 0) + 1
  counters.set(dir, n)
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, "-")
  const path = join(dir, `${String(n).padStart(2, "0")}-${safeName}.png`)
  return "goto" in target ? target.screenshot({ path, fullPage: true }) : target.screenshot({ path })
}
