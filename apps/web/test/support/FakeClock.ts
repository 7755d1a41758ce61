/**
 * A clock and scheduler for the live connections' `now` and `schedule` options (chat, sensors):
 * timers run only when a test advances time, so backoffs and ping timeouts are exact and no test
 * waits on the wall clock.
 */
export interface FakeClock {
  readonly schedule: (run: () => void, delayMs: number) => () => void
  /** Runs every timer due within `ms`, in order (timers they set run too, if due). */
  readonly advance: (ms: number) => void
  /** Delays of the timers still pending, soonest first. */
  readonly pending: () => ReadonlyArray<number>
  readonly now: () => number
}

/** `startAt`: the time `now()` says before the first advance (ms). */
export const makeFakeClock = (startAt = 0): FakeClock => {
  let now = startAt
  let nextId = 0
  const timers = new Map<number, { readonly at: number; readonly run: () => void }>()
  return {
    schedule: (run, delayMs) => {
      const id = nextId++
      timers.set(id, { at: now + delayMs, run })
      return () => void timers.delete(id)
    },
    advance: (ms) => {
      const until = now + ms
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (due === undefined) break
        timers.delete(due[0])
        now = due[1].at
        due[1].run()
      }
      now = until
    },
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
    now: () => now
  }
}
