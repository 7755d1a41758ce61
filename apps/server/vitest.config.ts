import { projectConfig } from "../../vitest.shared.js"

// Opening a fresh PGlite database (the embedded store) and building the server's dist for the
// child-process test take seconds. The dist the child-process tests run is built once, first.
export default projectConfig(import.meta.dirname, {
  hookTimeout: 240_000,
  testTimeout: 60_000,
  globalSetup: ["test/support/InstanceBuild.ts"]
})
