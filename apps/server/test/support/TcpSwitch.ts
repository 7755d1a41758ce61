/**
 * A TCP forwarder a test can switch off: clients are pointed at it instead of a store, and
 * `cut()` makes the store "go down" (every connection reset, new ones refused at once) until
 * `restore()`. Only for tests.
 */
import * as net from "node:net"

export interface TcpSwitch {
  readonly port: number
  readonly cut: () => void
  readonly restore: () => void
  readonly close: () => Promise<void>
}

export const start = (target: { readonly host: string; readonly port: number }): Promise<TcpSwitch> =>
  new Promise((resolve, reject) => {
    let on = true
    const sockets = new Set<net.Socket>()
    const track = (socket: net.Socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
    }
    const server = net.createServer((client) => {
      track(client)
      if (!on) {
        client.resetAndDestroy()
        return
      }
      const upstream = net.connect(target.port, target.host)
      track(upstream)
      client.pipe(upstream)
      upstream.pipe(client)
      client.on("close", () => upstream.destroy())
      upstream.on("close", () => client.destroy())
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        port,
        cut: () => {
          on = false
          for (const socket of sockets) socket.resetAndDestroy()
        },
        restore: () => {
          on = true
        },
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
