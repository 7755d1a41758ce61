/** Contract suites of the Teams area, run unchanged against every TeamRepository adapter. */
export * as TeamRepositoryContract from "./TeamRepositoryContract.js"
