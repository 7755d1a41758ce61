/**
 * A TCP proxy a test controls, for fault tests of any client that speaks TCP (ioredis, pg, …):
 * point the client at the proxy instead of the server, then break the network under it.
 *
 * - `open` (the start state): bytes flow both ways; each accepted connection gets its own
 *   connection to the target.
 * - `cut()`: every live connection is reset (both sides destroyed, the client sees ECONNRESET or
 *   a close) and new connections are accepted and reset at once — the server "went away".
 * - `blackhole()`: connections stay up but nothing is forwarded, in either direction, and new
 *   connections are accepted but not forwarded — a network partition or a hung server: the client
 *   only learns of it through its own timeouts. Bytes sent meanwhile are held, not dropped.
 * - `restore()`: back to open. Held bytes are delivered in order and blackholed new connections
 *   are connected to the target, as when a partition heals. To model "the server restarted" instead,
 *   call `cut()` first: the clients then reconnect on their own.
 * - `close()`: stops listening and destroys every connection.
 *
 * Only for tests: it ignores backpressure (held bytes are kept in memory).
 */
import * as net from "node:net"

export type TcpProxyMode = "open" | "cut" | "blackhole"

export interface TcpProxyOptions {
  /** Where connections are forwarded. */
  readonly targetHost: string
  readonly targetPort: number
  /** Where the proxy listens; 127.0.0.1 and a free port by default. */
  readonly host?: string
  readonly port?: number
}

interface Link {
  readonly client: net.Socket
  upstream: net.Socket | undefined
  /** Bytes from the client not yet forwarded to the target (blackholed or still connecting). */
  readonly toUpstream: Array<Buffer>
  /** Bytes from the target not yet forwarded to the client (blackholed). */
  readonly toClient: Array<Buffer>
  upstreamConnected: boolean
}

export class TcpProxy {
  private modeValue: TcpProxyMode = "open"
  private readonly links = new Set<Link>()
  private readonly server: net.Server
  private readonly options: TcpProxyOptions
  /** The address the proxy listens on. */
  readonly host: string
  readonly port: number

  private constructor(server: net.Server, options: TcpProxyOptions, host: string, port: number) {
    this.server = server
    this.options = options
    this.host = host
    this.port = port
  }

  /** Starts listening (on a free port unless `port` is given) and resolves once it accepts connections. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = net.createServer()
    const host = options.host ?? "127.0.0.1"
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject)
        resolve()
      })
    })
    const address = server.address() as net.AddressInfo
    const proxy = new TcpProxy(server, options, host, address.port)
    server.on("connection", (socket) => proxy.accept(socket))
    return proxy
  }

  get mode(): TcpProxyMode {
    return this.modeValue
  }

  /** Connections currently held open by the proxy (client side). */
  get connections(): number {
    return this.links.size
  }

  /** Resets every live connection and every new one until `restore()`. */
  cut(): void {
    this.modeValue = "cut"
    for (const link of [...this.links]) this.drop(link)
  }

  /** Keeps connections up but forwards nothing until `restore()`. */
  blackhole(): void {
    this.modeValue = "blackhole"
  }

  /** Forwards again: held bytes are delivered in order, blackholed new connections reach the target. */
  restore(): void {
    this.modeValue = "open"
    for (const link of [...this.links]) {
      if (link.upstream === undefined) this.connectUpstream(link)
      else this.flush(link)
    }
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    this.modeValue = "cut"
    for (const link of [...this.links]) this.drop(link)
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(client: net.Socket): void {
    if (this.modeValue === "cut") {
      client.on("error", () => {})
      client.resetAndDestroy()
      return
    }
    const link: Link = { client, upstream: undefined, toUpstream: [], toClient: [], upstreamConnected: false }
    this.links.add(link)
    client.on("error", () => this.drop(link))
    client.on("close", () => this.drop(link))
    client.on("data", (chunk: Buffer) => {
      if (this.modeValue === "open" && link.upstreamConnected) link.upstream!.write(chunk)
      else link.toUpstream.push(chunk)
    })
    if (this.modeValue === "open") this.connectUpstream(link)
  }

  private connectUpstream(link: Link): void {
    const upstream = net.connect({ host: this.options.targetHost, port: this.options.targetPort })
    link.upstream = upstream
    upstream.on("error", () => this.drop(link))
    upstream.on("close", () => this.drop(link))
    upstream.on("connect", () => {
      link.upstreamConnected = true
      if (this.modeValue === "open") this.flush(link)
    })
    upstream.on("data", (chunk: Buffer) => {
      if (this.modeValue === "open") link.client.write(chunk)
      else link.toClient.push(chunk)
    })
  }

  private flush(link: Link): void {
    if (link.upstreamConnected) {
      for (const chunk of link.toUpstream.splice(0)) link.upstream!.write(chunk)
    }
    for (const chunk of link.toClient.splice(0)) link.client.write(chunk)
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return
    if (!link.client.destroyed) link.client.resetAndDestroy()
    link.upstream?.destroy()
  }
}
