/** Each component test starts with an empty document and empty storage. */
import { cleanup } from "@testing-library/react"
import { afterEach } from "vitest"

afterEach(() => {
  cleanup()
  window.localStorage.clear()
})
