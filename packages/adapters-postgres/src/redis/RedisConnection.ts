/**
 * One ioredis connection configured so that an unreachable Redis never makes a caller wait longer
 * than the configured timeouts, and service resumes by itself when Redis is back.
 *
 * ioredis' defaults queue commands while disconnected (the offline queue) and resend them after a
 * reconnect, so a caller could hang, or a command it was told had failed could run minutes later.
 * Here nothing is queued or resent: a command is sent only on a ready connection (a connection
 * attempt in progress is awaited up to `connectTimeoutMillis`), every command has a reply timeout,
 * a socket that stops answering is torn down, and reconnecting goes on in the background with a
 * capped backoff. Every ioredis error is mapped to a StoreFailure here, so no vendor error escapes:
 * a lost or refused connection is Unavailable, silence is TimedOut, a refusal by Redis itself (a
 * wrong type, a script error) is Unexpected.
 */
import { TimedOut, Unavailable, Unexpected, type StoreFailure } from "@app/domain"
import { Effect } from "effect"
import { Redis } from "ioredis"

export interface RedisConnectionOptions {
  readonly url: string
  readonly commandTimeoutMillis: number
  readonly connectTimeoutMillis: number
  readonly reconnectMaxDelayMillis: number
  /** CLIENT SETNAME, to tell the connections apart in `CLIENT LIST`. */
  readonly connectionName?: string | undefined
}

export interface RedisConnection {
  readonly redis: Redis
  /** Sends one command (or script) through `send`, bounded by the timeouts, failures mapped. */
  readonly run: <A>(operation: string, send: (redis: Redis) => Promise<A>) => Effect.Effect<A, StoreFailure>
  /** Calls `listener` each time an established connection is lost, with the failure that describes why. */
  readonly onLost: (listener: (failure: StoreFailure) => void) => () => void
  /** Closes for good (pending commands fail with Unavailable); no reconnect follows. */
  readonly close: Effect.Effect<void>
}

/** Redis error replies that mean "not now" rather than "never". */
const RETRYABLE_REPLIES = new Set(["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "OOM", "NOREPLICAS"])

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ETIMEDOUT"
])

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : "")

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

/** The connection died of silence: a command or the handshake got no reply, or a connect attempt no answer. */
const isSilence = (error: unknown): boolean => {
  const message = messageOf(error)
  return message === "Command timed out" || message.startsWith("Socket timeout") || message.startsWith("connect ETIMEDOUT") ||
    codeOf(error) === "ETIMEDOUT"
}

/** ioredis failed the command because the connection is not usable, not because Redis refused it. */
const isConnectionLoss = (error: unknown): boolean => {
  const message = messageOf(error)
  const name = nameOf(error)
  return name === "MaxRetriesPerRequestError" || name === "AbortError" || message === "Connection is closed." ||
    message.startsWith("Stream isn't writeable") || NETWORK_CODES.has(codeOf(error) ?? "")
}

const defaultRetryStrategy = (maxDelay: number) => (attempt: number): number =>
  Math.min(maxDelay, 50 * 2 ** Math.min(attempt, 16))

export const open = (options: RedisConnectionOptions): Effect.Effect<RedisConnection> =>
  Effect.sync(() => {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      // Never queue while disconnected, never resend after a reconnect: a caller that was told
      // "failed" must not see its command run later.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      // 0: the commands in flight when a connection drops are failed at once.
      maxRetriesPerRequest: 0,
      // Subscriptions are re-made by their owners (RedisChannels) after a loss, not replayed.
      autoResubscribe: false,
      commandTimeout: options.commandTimeoutMillis,
      // No data for this long while a reply is due: the socket is destroyed and a reconnect begins,
      // so a silently dead server (no RST) does not keep the connection "ready" for minutes.
      socketTimeout: options.commandTimeoutMillis,
      connectTimeout: options.connectTimeoutMillis,
      retryStrategy: defaultRetryStrategy(options.reconnectMaxDelayMillis),
      ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName })
    })

    // Why the connection was last lost; cleared when it is ready again.
    let lastError: unknown = undefined
    // Without an "error" listener ioredis prints every reconnect failure to stderr.
    redis.on("error", (error: unknown) => {
      lastError = error
    })
    redis.on("ready", () => {
      lastError = undefined
    })

    const lost = (operation: string): StoreFailure =>
      lastError !== undefined && isSilence(lastError)
        ? new TimedOut({ message: `Redis ${operation}: the server stopped answering` })
        : new Unavailable({
          message: `Redis ${operation}: not connected${lastError === undefined ? "" : ` (${messageOf(lastError)})`}`
        })

    const failure = (operation: string, error: unknown): StoreFailure => {
      if (messageOf(error) === "Command timed out") {
        return new TimedOut({ message: `Redis ${operation}: no reply within ${options.commandTimeoutMillis} ms` })
      }
      if (isConnectionLoss(error)) return lost(operation)
      if (nameOf(error) === "ReplyError") {
        const code = messageOf(error).split(" ", 1)[0] ?? ""
        return RETRYABLE_REPLIES.has(code)
          ? new Unavailable({ message: `Redis ${operation}: ${messageOf(error)}` })
          : new Unexpected({ message: `Redis ${operation}: ${messageOf(error)}` })
      }
      return new Unexpected({ message: `Redis ${operation}: ${messageOf(error)}` })
    }

    // Callers waiting for the connection attempt in progress, told "ready" or "closed" together
    // (one pair of listeners however many callers wait).
    let waiting = new Set<(ready: boolean) => void>()
    const settleWaiting = (ready: boolean) => {
      const waiters = waiting
      waiting = new Set()
      for (const waiter of waiters) waiter(ready)
    }
    redis.on("ready", () => settleWaiting(true))
    redis.on("close", () => settleWaiting(false))

    /**
     * Resolves once the connection attempt in progress is ready; fails if it fails or takes longer
     * than the connect timeout. Network timeouts run on real timers, not Effect's Clock: a test's
     * TestClock must not freeze them.
     */
    const awaitReady = (operation: string) =>
      Effect.callback<void, StoreFailure>((resume) => {
        const waiter = (ready: boolean) => {
          clearTimeout(timer)
          resume(ready ? Effect.void : Effect.fail(lost(operation)))
        }
        const timer = setTimeout(() => {
          waiting.delete(waiter)
          resume(Effect.fail(new TimedOut({ message: `Redis ${operation}: no connection within ${options.connectTimeoutMillis} ms` })))
        }, options.connectTimeoutMillis)
        waiting.add(waiter)
        return Effect.sync(() => {
          clearTimeout(timer)
          waiting.delete(waiter)
        })
      })

    const ready = (operation: string): Effect.Effect<void, StoreFailure> =>
      Effect.suspend(() => {
        switch (redis.status) {
          case "ready":
            return Effect.void
          case "wait":
            redis.connect().catch(() => {})
            return awaitReady(operation)
          case "connecting":
          case "connect":
            return awaitReady(operation)
          case "end":
            return Effect.fail(new Unavailable({ message: `Redis ${operation}: the client is closed` }))
          default:
            // Between attempts (reconnecting, close): fail now rather than make the caller wait.
            return Effect.fail(lost(operation))
        }
      })

    // A last bound in case ioredis never settles a promise (it should, given commandTimeout);
    // reported as ioredis reports its own command timeout.
    const deadline = options.commandTimeoutMillis * 2 + 250
    const bounded = <A>(promise: Promise<A>) =>
      new Promise<A>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("Command timed out")), deadline)
        promise.then(resolve, reject).finally(() => clearTimeout(timer))
      })

    const run = <A>(operation: string, send: (redis: Redis) => Promise<A>): Effect.Effect<A, StoreFailure> =>
      ready(operation).pipe(
        Effect.andThen(Effect.tryPromise({ try: () => bounded(send(redis)), catch: (error) => failure(operation, error) }))
      )

    const onLost = (listener: (failure: StoreFailure) => void) => {
      const onClose = () => listener(lost("subscription"))
      redis.on("close", onClose)
      return () => {
        redis.off("close", onClose)
      }
    }

    const close = Effect.promise(async () => {
      if (redis.status === "ready") {
        await Promise.race([
          redis.quit().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, options.commandTimeoutMillis).unref())
        ])
      }
      redis.disconnect()
    })

    return { redis, run, onLost, close } satisfies RedisConnection
  })
