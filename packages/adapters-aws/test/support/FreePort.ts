/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for a child process a test starts
 * (DynamoDB Local here; the server in the shells' and the web app's tests). It lives in this
 * folder because it is the one test-support folder every project's tests may import: the AWS
 * adapter's own tests may import nothing above the domain.
 */
import { createServer } from "node:net"

export const freePort = (): Promise<number> =>
  new Promise((done, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address !== null ? done(address.port) : reject(new Error("no free port"))))
    })
  })
