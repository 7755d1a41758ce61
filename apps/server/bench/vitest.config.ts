/**
 * `vitest bench` for the server's benchmarks (bench/*.bench.ts): the shared bench configuration of
 * ../../../vitest.shared.ts, rooted at this project. Servers are closed and the schema dropped by
 * the benchmark's hooks even when a run times out.
 */
import { benchConfig } from "../../../vitest.shared.js"

export default benchConfig(`${import.meta.dirname}/..`)
