import { projectConfig } from "../../vitest.shared.js"

// Opening a PGlite database (WASM) and migrating it takes seconds, more when files run in parallel.
export default projectConfig(import.meta.dirname, { hookTimeout: 60_000, testTimeout: 30_000 })
