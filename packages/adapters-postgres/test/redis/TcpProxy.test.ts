/**
 * The fault-injection proxy itself (used by the Redis and Postgres fault tests), against a small
 * echo server: it forwards while open, resets connections when cut, holds bytes while blackholed
 * and delivers them in order on restore.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
import { TcpProxy } from "../support/TcpProxy.js"

const echoServer = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<net.Server>((resolve) => {
      const server = net.createServer((socket) => {
        socket.on("error", () => {})
        socket.pipe(socket)
      })
      server.listen(0, "127.0.0.1", () => resolve(server))
    })
  ),
  (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

const proxyTo = (server: net.Server) =>
  Effect.acquireRelease(
    Effect.promise(() => TcpProxy.start({ targetHost: "127.0.0.1", targetPort: (server.address() as net.AddressInfo).port })),
    (proxy) => Effect.promise(() => proxy.close())
  )

/** A client connection (settled once connected or refused) that collects what it receives and records its end. */
const connect = (port: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ socket: net.Socket; received: () => string; ended: () => boolean }>((resolve) => {
        let data = ""
        let ended = false
        const socket = net.connect({ host: "127.0.0.1", port })
        const settle = () => resolve({ socket, received: () => data, ended: () => ended })
        socket.on("connect", settle)
        socket.on("data", (chunk) => (data += chunk.toString()))
        socket.on("error", () => (ended = true))
        socket.on("close", () => {
          ended = true
          settle()
        })
      })
    ),
    ({ socket }) => Effect.sync(() => socket.destroy())
  )

const until = (condition: () => boolean) =>
  Effect.promise(() =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now()
      const poll = () => {
        if (condition()) return resolve()
        if (performance.now() - started > 5_000) return reject(new Error("condition not reached"))
        setTimeout(poll, 5)
      }
      poll()
    })
  )

describe("TcpProxy", () => {
  it.live("forwards while open; cut resets live connections and new ones; restore accepts again", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyTo(yield* echoServer)
      const client = yield* connect(proxy.port)
      client.socket.write("hello")
      yield* until(() => client.received() === "hello")
      proxy.cut()
      yield* until(client.ended)
      const refused = yield* connect(proxy.port)
      yield* until(refused.ended)
      assert.strictEqual(proxy.connections, 0)
      proxy.restore()
      const again = yield* connect(proxy.port)
      again.socket.write("back")
      yield* until(() => again.received() === "back")
    }))

  it.live("blackhole holds bytes both ways (live and new connections); restore delivers them in order", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyTo(yield* echoServer)
      const live = yield* connect(proxy.port)
      live.socket.write("a")
      yield* until(() => live.received() === "a")
      proxy.blackhole()
      live.socket.write("b")
      live.socket.write("c")
      const fresh = yield* connect(proxy.port)
      fresh.socket.write("x")
      yield* Effect.sleep("100 millis")
      assert.strictEqual(live.received(), "a")
      assert.strictEqual(fresh.received(), "")
      assert.isFalse(live.ended())
      proxy.restore()
      yield* until(() => live.received() === "abc" && fresh.received() === "x")
    }))
})
