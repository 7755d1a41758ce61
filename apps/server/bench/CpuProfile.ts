/**
 * A V8 CPU profile of this process while `work` runs (node:inspector, no restart needed), written
 * as a .cpuprofile (Chrome DevTools or speedscope open it), plus the functions with the most
 * self time, so a run that misses its goal shows where the time went.
 */
import { writeFile } from "node:fs/promises"
import { Session } from "node:inspector/promises"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples?: ReadonlyArray<number>
}

export interface HotFunction {
  readonly selfPercent: number
  readonly name: string
  readonly where: string
}

const MODULES = "/node_modules/"

/** A frame's file: the path inside node_modules, or inside the repository. */
const fileOf = (url: string): string => {
  if (url === "") return "(native)"
  const modules = url.lastIndexOf(MODULES)
  if (modules >= 0) return url.slice(modules + MODULES.length)
  const repo = url.indexOf("/work/main/")
  return repo >= 0 ? url.slice(repo + "/work/main/".length) : url.replace(/^file:\/\//, "")
}

/** A frame's package (`effect`, `@fastify/helmet`) or repository directory (`packages/api/src`). */
const placeOf = (node: ProfileNode): string => {
  const url = node.callFrame.url
  if (url === "") return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native)"
  const segments = fileOf(url).split("/")
  if (url.includes(MODULES)) return segments[0]!.startsWith("@") ? segments.slice(0, 2).join("/") : segments[0]!
  return segments.slice(0, 3).join("/")
}

const totalHits = (profile: Profile) => profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)

const percentOf = (hits: number, total: number) => Math.round((hits / Math.max(1, total)) * 1000) / 10

/** The `top` functions by self time. */
export const hottest = (profile: Profile, top: number): ReadonlyArray<HotFunction> => {
  const total = totalHits(profile)
  const byFunction = new Map<string, { hits: number; name: string; where: string }>()
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName || "(anonymous)"
    const where = node.callFrame.url === "" ? "(native)" : `${fileOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
    const key = `${name}@${where}`
    const entry = byFunction.get(key) ?? { hits: 0, name, where }
    entry.hits += node.hitCount ?? 0
    byFunction.set(key, entry)
  }
  return [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((entry) => ({ selfPercent: percentOf(entry.hits, total), name: entry.name, where: entry.where }))
}

/** Self time summed by package or repository directory. */
export const byPlace = (profile: Profile, top: number): ReadonlyArray<{ readonly selfPercent: number; readonly place: string }> => {
  const total = totalHits(profile)
  const places = new Map<string, number>()
  for (const node of profile.nodes) places.set(placeOf(node), (places.get(placeOf(node)) ?? 0) + (node.hitCount ?? 0))
  return [...places.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([place, hits]) => ({ selfPercent: percentOf(hits, total), place }))
}

export const record = async <A>(path: string, work: () => Promise<A>): Promise<{ readonly result: A; readonly profile: Profile }> => {
  const session = new Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 200 })
    await session.post("Profiler.start")
    const result = await work()
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile }
    await writeFile(path, JSON.stringify(profile))
    return { result, profile }
  } finally {
    session.disconnect()
  }
}
