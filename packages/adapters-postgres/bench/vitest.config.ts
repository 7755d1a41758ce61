/**
 * `vitest bench` for this package's benchmarks (bench/*.bench.ts), kept out of `npm test`: the
 * package's own config only includes test/**. Sources resolve through the `@app/source` condition
 * as in ../../../vitest.shared.ts, but no JSON report is written (CI's pass/fail tally must never
 * count a benchmark). Files run one after another, so one benchmark's load never skews another.
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
    // A benchmark takes as long as its settings make it (bench mode raises anything under 60 s,
    // 0 included, to 60 s); on timeout the run is interrupted and its schema still dropped.
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000
  }
})
