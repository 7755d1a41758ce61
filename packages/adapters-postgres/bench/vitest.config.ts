/**
 * `vitest bench` for this package's benchmarks (bench/*.bench.ts): the shared bench configuration
 * of ../../../vitest.shared.ts, rooted at this package.
 */
import { benchConfig } from "../../../vitest.shared.js"

export default benchConfig(`${import.meta.dirname}/..`)
