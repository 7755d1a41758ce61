/**
 * The one vitest configuration every project extends: sources resolve through the
 * `@app/source` export condition (no build needed to test), and when TEST_REPORT_DIR is set each
 * project also writes a JSON report there, which .ci/run sums into its `N passed, N failed` line.
 */
import { basename } from "node:path"
import { defineConfig, type ViteUserConfig } from "vitest/config"

export const projectConfig = (projectDir: string, overrides: ViteUserConfig["test"] = {}) => {
  const reportDir = process.env["TEST_REPORT_DIR"]
  return defineConfig({
    resolve: { conditions: ["@app/source"] },
    ssr: { resolve: { conditions: ["@app/source"] } },
    test: {
      include: ["test/**/*.test.ts"],
      passWithNoTests: true,
      ...(reportDir === undefined
        ? {}
        : {
          reporters: ["default", "json"],
          outputFile: { json: `${reportDir}/${basename(projectDir)}.json` }
        }),
      ...overrides
    }
  })
}

/**
 * The configuration of a project's `vitest bench` (the bench/ folder's *.bench.ts files, run with
 * `--config bench/vitest.config.ts`), kept out of `npm test`, whose config only includes test/**.
 * Sources resolve as above, but no JSON report is written (CI's pass/fail tally must never count a
 * benchmark). Files run one after another, so one benchmark's load never skews another.
 */
export const benchConfig = (projectDir: string) =>
  defineConfig({
    root: projectDir,
    resolve: { conditions: ["@app/source"] },
    ssr: { resolve: { conditions: ["@app/source"] } },
    test: {
      include: [],
      benchmark: { include: ["bench/**/*.bench.ts"] },
      fileParallelism: false,
      // A benchmark takes as long as its settings make it (bench mode raises anything under 60 s,
      // 0 included, to 60 s); on timeout the run is interrupted and its servers and schemas are
      // still cleaned up by its hooks.
      testTimeout: 30 * 60_000,
      hookTimeout: 120_000
    }
  })
