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
