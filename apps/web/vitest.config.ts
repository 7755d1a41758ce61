import { projectConfig } from "../../vitest.shared.js"

// Component tests render into happy-dom; the browser (Chromium) tests live under test/e2e.
export default projectConfig(import.meta.dirname, {
  environment: "happy-dom",
  include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  setupFiles: ["test/support/setup.ts"]
})
