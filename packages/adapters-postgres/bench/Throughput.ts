/**
 * Throughput measurement shared by the benchmarks: the contenders of a comparison run in
 * interleaved rounds, the order rotating every round, so drift in the machine's load (other
 * processes, autovacuum, checkpoints) hits each of them alike instead of whichever ran last.
 * Rates are totals over all rounds (units / seconds); the per-round spread is kept to show noise.
 */
import { Effect } from "effect"
import { availableParallelism, loadavg } from "node:os"

/** A positive integer from the environment, or `fallback`. */
export const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`)
  return value
}

/** Runs `effect` and returns how many milliseconds it took, with its result. */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<readonly [number, A], E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    return Effect.map(effect, (result) => [performance.now() - start, result] as const)
  })

/**
 * One contender. `prepare` builds the round's input outside the measured time; `run` is measured
 * and returns how many units (rows, messages) it processed.
 */
export interface Contender<I> {
  readonly name: string
  readonly prepare: (round: number) => Effect.Effect<I>
  readonly run: (input: I, round: number) => Effect.Effect<number>
}

export interface Tally {
  readonly name: string
  readonly units: number
  readonly millis: number
  /** units per second over every round. */
  readonly rate: number
  /** units per second of each round. */
  readonly roundRates: ReadonlyArray<number>
}

/** Runs `rounds` rounds of every contender, rotating who goes first each round. */
export const interleaved = (contenders: ReadonlyArray<Contender<any>>, rounds: number) =>
  Effect.gen(function*() {
    const units = contenders.map(() => 0)
    const millis = contenders.map(() => 0)
    const roundRates: Array<Array<number>> = contenders.map(() => [])
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < contenders.length; turn++) {
        const index = (round + turn) % contenders.length
        const contender = contenders[index]!
        const input = yield* contender.prepare(round)
        const [elapsed, processed] = yield* timed(contender.run(input, round))
        units[index]! += processed
        millis[index]! += elapsed
        roundRates[index]!.push(perSecond(processed, elapsed))
      }
    }
    return contenders.map((contender, index): Tally => ({
      name: contender.name,
      units: units[index]!,
      millis: millis[index]!,
      rate: perSecond(units[index]!, millis[index]!),
      roundRates: roundRates[index]!
    }))
  })

export const perSecond = (units: number, millis: number): number => (millis <= 0 ? 0 : (units * 1000) / millis)

/** 12345.6 → "12,346". */
export const count = (value: number): string => Math.round(value).toLocaleString("en-US")

/** 0.5234 → "52.3%". */
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`

/** The q-quantile (0..1) of `values`, interpolated; NaN when empty. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low)
}

/** "p25–p75" of the per-round rates, for the noise column. */
export const interquartile = (rates: ReadonlyArray<number>): string =>
  rates.length === 0 ? "-" : `${count(quantile(rates, 0.25))}–${count(quantile(rates, 0.75))}`

/** The machine's 1-minute load average against its CPUs: the context every number here needs. */
export const machineLoad = (): string => `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`

/**
 * A console.table row per tally: its units, seconds, overall rate and per-round spread, the columns
 * headed with `labels` (e.g. "case", "messages", "msg" → "msg/s").
 */
export const tallyRows = (
  tallies: ReadonlyArray<Tally>,
  labels: { readonly name: string; readonly units: string; readonly rate: string }
): ReadonlyArray<Record<string, string>> =>
  tallies.map((tally) => ({
    [labels.name]: tally.name,
    [labels.units]: count(tally.units),
    seconds: (tally.millis / 1000).toFixed(2),
    [`${labels.rate}/s`]: count(tally.rate),
    [`${labels.rate}/s per round (p25–p75)`]: interquartile(tally.roundRates)
  }))
