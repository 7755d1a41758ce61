/**
 * The properties the chat rules promise, checked over generated histories: gapless idempotent
 * sends under any interleaving, paging that visits every message once in either direction, and a
 * follow stream that is complete and ordered even when the bus drops or delays publications.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Stream } from "effect"
import * as fc from "fast-check"
import { Chat } from "../../src/Chat/Chat.js"
import { ChatBus } from "../../src/Chat/ChatBus.js"
import { ChatBusMemory } from "../../src/Chat/memory/index.js"
import type { Message } from "../../src/Chat/Message.js"
import type { RoomId } from "../../src/Chat/Room.js"
import type { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { actor, body, cid, team, world } from "./fixtures.js"

const senders = [actor("p0"), actor("p1"), actor("p2"), actor("p3")] as const
const seqs = (messages: ReadonlyArray<Message>) => messages.map((m) => m.seq)
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
const yields = (n: number) => Effect.forEach(range(1, n), () => Effect.yieldNow, { discard: true })

/** A room of a team whose members are all `senders`. */
const room = Effect.gen(function*() {
  const chat = yield* Chat
  const teamId = yield* team(senders[0], ...senders.slice(1))
  return (yield* chat.createRoom(senders[0], { teamId, name: "properties" })).roomId
})

const seed = (roomId: RoomId, n: number) =>
  Effect.gen(function*() {
    const chat = yield* Chat
    for (let i = 1; i <= n; i++) {
      yield* chat.send(senders[i % senders.length]!, roomId, { body: body(`seed ${i}`), clientMessageId: cid(`seed-${i}`) })
    }
  })

type Fate = "deliver" | "drop" | "delay"

/** The in-memory bus, except that publication i meets fates[i % fates.length]. */
const flakyBus = (fates: ReadonlyArray<Fate>) =>
  Layer.effect(
    ChatBus,
    Effect.map(ChatBusMemory.make, (bus) => {
      let published = 0
      return ChatBus.of({
        publish: (message) =>
          Effect.suspend(() => {
            const fate = fates[published++ % fates.length] ?? "deliver"
            if (fate === "drop") return Effect.void
            if (fate === "delay") return Effect.asVoid(Effect.forkDetach(Effect.andThen(yields(5), bus.publish(message))))
            return bus.publish(message)
          }),
        subscribe: bus.subscribe
      })
    })
  )

describe("Chat properties", () => {
  it("any interleaving of sends gives seqs 1..n and one message per (sender, clientMessageId)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ sender: fc.nat(3), client: fc.nat(6), wait: fc.nat(3) }), { minLength: 1, maxLength: 60 }),
        (sends) =>
          Effect.runPromise(Effect.gen(function*() {
            const chat = yield* Chat
            const roomId = yield* room
            const results = yield* Effect.all(
              sends.map(({ client, sender, wait }) =>
                Effect.andThen(
                  yields(wait),
                  chat.send(senders[sender]!, roomId, { body: body(`from ${sender}`), clientMessageId: cid(client) })
                )
              ),
              { concurrency: "unbounded" }
            )
            const keys = new Set(sends.map(({ client, sender }) => `${sender}/${client}`))
            const stored = (yield* chat.listMessages(senders[0], roomId, { after: 0, limit: 100 })).messages
            assert.deepStrictEqual(seqs(stored), range(1, keys.size))
            assert.strictEqual(results.filter((r) => r.created).length, keys.size)
            assert.strictEqual(new Set(stored.map((m) => `${m.senderId}/${m.clientMessageId}`)).size, keys.size)
            for (const [i, result] of results.entries()) {
              const { client, sender } = sends[i]!
              assert.strictEqual(result.message.senderId, senders[sender]!.userId)
              assert.strictEqual(result.message.clientMessageId, cid(client))
              assert.deepStrictEqual(result.message, stored[result.message.seq - 1])
            }
          }).pipe(Effect.provide(world())))
      ),
      { numRuns: 150 }
    )
  })

  it("paging with any page size from any cursor visits every message once, in order, both ways", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 150 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            limit: fc.integer({ min: 1, max: 100 }),
            cursor: fc.option(fc.integer({ min: 0, max: n + 2 }), { nil: undefined }),
            forward: fc.boolean()
          })
        ),
        ({ cursor, forward, limit, n }) =>
          Effect.runPromise(Effect.gen(function*() {
            const chat = yield* Chat
            const roomId = yield* room
            yield* seed(roomId, n)
            const expected = forward
              ? range((cursor ?? 0) + 1, n)
              : range(1, Math.min(n, cursor === undefined ? n : cursor - 1)).reverse()
            const seen: Array<number> = []
            // Oldest first always names `after` (0 = from the start); newest first may omit `before`.
            let next: number | undefined = forward ? (cursor ?? 0) : cursor
            for (let pages = 0;; pages++) {
              assert.isAtMost(pages, Math.ceil(n / limit) + 1, "too many pages")
              const page = yield* chat.listMessages(senders[1], roomId, {
                ...(next === undefined ? {} : forward ? { after: next } : { before: next }),
                limit
              })
              assert.isAtMost(page.messages.length, limit)
              seen.push(...seqs(page.messages))
              if (page.nextCursor === null) break
              assert.strictEqual(page.messages.length, limit, "only the last page may be short")
              assert.strictEqual(page.nextCursor, page.messages[page.messages.length - 1]!.seq)
              next = page.nextCursor
            }
            assert.deepStrictEqual(seen, expected)
          }).pipe(Effect.provide(world())))
      ),
      { numRuns: 100 }
    )
  })

  const followRun = (
    options: { readonly initial: number; readonly more: number; readonly after: number; readonly waits: ReadonlyArray<number> },
    chatLayer: Layer.Layer<Chat | TeamRepository>
  ) =>
    Effect.gen(function*() {
      const chat = yield* Chat
      const roomId = yield* room
      yield* seed(roomId, options.initial)
      const total = options.initial + options.more
      const follower = yield* chat.follow(senders[3], roomId, options.after).pipe(
        Stream.takeUntil((m) => m.seq >= total),
        Stream.runCollect,
        Effect.timeout("5 seconds"),
        Effect.forkChild
      )
      yield* Effect.all(
        range(1, options.more).map((i) =>
          Effect.andThen(
            yields(options.waits[i % options.waits.length] ?? 0),
            chat.send(senders[i % senders.length]!, roomId, { body: body(`live ${i}`), clientMessageId: cid(`live-${i}`) })
          )
        ),
        { concurrency: "unbounded" }
      )
      const received = yield* Fiber.join(follower)
      assert.deepStrictEqual(seqs(received), range(options.after + 1, total))
    }).pipe(Effect.provide(chatLayer))

  const followCase = fc
    .record({ initial: fc.nat(20), more: fc.integer({ min: 1, max: 30 }), waits: fc.array(fc.nat(4), { minLength: 1, maxLength: 8 }) })
    .chain((c) => fc.record({ after: fc.integer({ min: 0, max: c.initial + c.more - 1 }) }).map(({ after }) => ({ ...c, after })))

  it("follow from any `after` during concurrent sends yields exactly after+1..n in order (reliable bus, no polling)", async () => {
    await fc.assert(
      fc.asyncProperty(followCase, (c) => Effect.runPromise(followRun(c, world({ resyncInterval: "1 hour" })))),
      { numRuns: 100 }
    )
  })

  it("follow stays complete and ordered when the bus drops, delays and reorders publications", async () => {
    await fc.assert(
      fc.asyncProperty(
        followCase,
        fc.array(fc.constantFrom<Fate>("deliver", "drop", "delay"), { minLength: 1, maxLength: 12 }),
        (c, fates) => Effect.runPromise(followRun(c, world({ resyncInterval: "10 millis" }, flakyBus(fates))))
      ),
      { numRuns: 100 }
    )
  })
})
