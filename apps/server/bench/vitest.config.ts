/**
 * `vitest bench` for the server's benchmarks (bench/*.bench.ts), kept out of `npm test`: the
 * project's own config only includes test/**. Sources resolve through the `@app/source` condition
 * as in ../../../vitest.shared.ts, so nothing needs building first, but no JSON report is written
 * (CI's pass/fail tally must never count a benchmark). Files run one after another, so one
 * benchmark's load never skews another.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  root: `${import.meta.dirname}/..`,
  resolve: { conditions: ["@app/source"] },
  ssr: { resolve: { conditions: ["@app/source"] } },
  test: {
    include: [],
    benchmark: { include: ["bench/**/*.bench.ts"] },
    fileParallelism: false,
    // A benchmark takes as long as its settings make it; on timeout the run is interrupted and
    // the servers closed and the schema dropped all the same.
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000
  }
})
