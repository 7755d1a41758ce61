/** The whole HTTP contract, realtime included, on the server with its default embedded store (PGlite, in-process realtime). */
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import { serverTarget } from "./support/ScenarioTargets.js"

scenarioSuite("server: embedded", () => serverTarget({ STORE: "embedded" }))
