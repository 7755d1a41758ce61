/**
 * A TCP proxy between the ingest's MQTT client and Mosquitto, so a test can break the network
 * under a live client (the idea of adapters-postgres' TcpProxy, cut down to what MQTT tests use).
 *
 * - open (the start state): each accepted connection gets its own connection to the broker.
 * - `cut()`: every live connection is reset, and new ones are reset as they arrive, until `restore()`.
 * - `close()`: stops listening and destroys every connection.
 */
import * as net from "node:net"

export class MqttTcpProxy {
  private cutOff = false
  private readonly sockets = new Set<net.Socket>()
  private readonly server: net.Server
  private readonly target: net.TcpNetConnectOpts
  readonly port: number

  private constructor(server: net.Server, target: net.TcpNetConnectOpts, port: number) {
    this.server = server
    this.target = target
    this.port = port
    server.on("connection", (client) => this.accept(client))
  }

  /** Listens on 127.0.0.1 at a free port, forwarding to the broker at `targetPort`. */
  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<MqttTcpProxy> {
    const server = net.createServer()
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject)
        resolve()
      })
    })
    return new MqttTcpProxy(server, { host: targetHost, port: targetPort }, (server.address() as net.AddressInfo).port)
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`
  }

  cut(): void {
    this.cutOff = true
    for (const socket of [...this.sockets]) socket.resetAndDestroy()
  }

  restore(): void {
    this.cutOff = false
  }

  async close(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(client: net.Socket): void {
    client.on("error", () => {})
    if (this.cutOff) {
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(this.target)
    upstream.on("error", () => {})
    this.sockets.add(client)
    this.sockets.add(upstream)
    const drop = () => {
      this.sockets.delete(client)
      this.sockets.delete(upstream)
      if (!client.destroyed) client.resetAndDestroy()
      if (!upstream.destroyed) upstream.destroy()
    }
    client.on("close", drop)
    upstream.on("close", drop)
    client.pipe(upstream)
    upstream.pipe(client)
  }
}
