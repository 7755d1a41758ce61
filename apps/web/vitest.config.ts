/**
 * One `vitest run` for the whole web app, in two projects, so CI reads a single JSON report
 * (vitest.shared.ts writes it when TEST_REPORT_DIR is set):
 * - "components": component tests under test/, rendered into happy-dom against the contract in
 *   process;
 * - "e2e": browser tests under e2e/ (`*.e2e.test.ts`), in Node, driving Chromium against the real
 *   server (e2e/support/BrowserHarness.ts); its globalSetup builds the server and the web app
 *   first. Files run one after another, each with its own server and browser. Generous timeouts:
 *   a server start, a browser launch and a page load share 2 CPUs with everything else.
 * `npx vitest run --project components` (or `--project e2e`) runs one of them.
 */
import { projectConfig } from "../../vitest.shared.js"

export default projectConfig(import.meta.dirname, {
  // Empty at the root: the projects extend it, and would otherwise add the shared default
  // (test/**/*.test.ts) to their own globs.
  include: [],
  teardownTimeout: 60_000,
  projects: [
    {
      extends: true,
      test: {
        name: "components",
        environment: "happy-dom",
        include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
        setupFiles: ["test/support/setup.ts"]
      }
    },
    {
      extends: true,
      test: {
        name: "e2e",
        environment: "node",
        include: ["e2e/**/*.e2e.test.ts"],
        globalSetup: ["e2e/support/BuildOnce.ts"],
        // One browser flow at a time: each file runs a server and a Chromium, and on 2 CPUs
        // several at once only make each slower and its timeouts likelier.
        fileParallelism: false,
        testTimeout: 120_000,
        hookTimeout: 120_000
      }
    }
  ]
})
