/**
 * API.md "Sensors": devices created by the team's admins and owner with a key shown once, ingest
 * with X-Device-Key (partial rejection by index, idempotent by timestamp), and queries — raw,
 * 1-minute and 1-hour buckets, and the latest reading of every device of a team — for members only.
 */
import { expect, it } from "vitest"
import { expectProblem, expectStatus, isoInstant, unique, type ScenarioKit, type Scenarios } from "./ScenarioKit.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** An hour boundary a few hours back: readings there are in the past and bucket predictably. */
const pastHour = () => Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR

const iso = (millis: number) => new Date(millis).toISOString()

const teamWithDevice = async (kit: ScenarioKit) => {
  const team = await kit.teamWithRoles()
  const device = expectStatus(
    await team.admin.api.request("sensors.createDevice", { body: { teamId: team.teamId, name: unique("device") } }),
    201
  )
  return { ...team, device, deviceId: device.deviceId, ingestKey: device.ingestKey }
}

export const sensorScenarios = ({ kit }: Scenarios) => {
  it("create device: admin and owner 201 with an ingest key; a plain member 403; a non-member 404", async () => {
    const { admin, member, outsider, owner, teamId } = await kit().teamWithRoles()
    const name = unique("device")
    const byAdmin = expectStatus(await admin.api.request("sensors.createDevice", { body: { teamId, name: ` ${name} ` } }), 201)
    expect(byAdmin).toEqual({
      deviceId: expect.any(String),
      teamId,
      name,
      createdAt: isoInstant,
      ingestKey: expect.stringMatching(/^\S{16,}$/)
    })
    const byOwner = expectStatus(await owner.api.request("sensors.createDevice", { body: { teamId, name: unique("device") } }), 201)
    expect(byOwner.ingestKey).not.toBe(byAdmin.ingestKey)
    expectProblem(await member.api.request("sensors.createDevice", { body: { teamId, name: "nope" } }), 403)
    expectProblem(await outsider.api.request("sensors.createDevice", { body: { teamId, name: "nope" } }), 404)
    expectProblem(await admin.api.request("sensors.createDevice", { body: { teamId: "bad id!", name: "" } }), 400, {
      paths: ["teamId", "name"],
      exactPaths: true
    })
    expectProblem(await kit().anonymous.request("sensors.createDevice", { body: { teamId, name: "x" } }), 401)
  })

  it("list devices: every member sees the team's devices, never a key; a non-member 404", async () => {
    const { raw } = kit()
    const { device, ingestKey, member, outsider, teamId } = await teamWithDevice(kit())
    const listed = await raw("GET", `/api/devices?teamId=${encodeURIComponent(teamId)}`, { token: member.accessToken })
    expect(listed.status).toBe(200)
    expect(listed.json).toEqual([{ deviceId: device.deviceId, teamId, name: device.name, createdAt: device.createdAt }])
    expect(listed.text).not.toContain(ingestKey)
    expect(listed.text).not.toMatch(/ingestKey/i)
    expectProblem(await outsider.api.request("sensors.listDevices", { query: { teamId } }), 404)
    expectProblem(await raw("GET", "/api/devices", { token: member.accessToken }), 400, { paths: ["teamId"], exactPaths: true })
  })

  it("ingest stores every valid reading and reports each invalid one by index; re-sending is idempotent", async () => {
    const { anonymous } = kit()
    const { deviceId, ingestKey } = await teamWithDevice(kit())
    const t = pastHour()
    const readings = [
      { ts: iso(t), temperature: 21.5, humidity: 40 },
      { ts: iso(t + 1_000), temperature: 500 },
      { ts: t + 2_000, co2: 600, pm25: 12, x: 10, y: 20 },
      { ts: iso(t + 3_000) },
      { ts: iso(t + 4_000), x: 5 },
      { ts: "yesterday", temperature: 20 },
      { ts: iso(Date.now() + HOUR), temperature: 20 }
    ]
    const headers = { "x-device-key": ingestKey }
    const result = expectStatus(await anonymous.request("sensors.ingest", { headers, body: { deviceId, readings } }), 200)
    expect(result.accepted).toBe(2)
    expect(result.duplicates).toBe(0)
    expect(result.rejected.map((r) => r.index)).toEqual([1, 3, 4, 5, 6])
    const pathsOf = (index: number) => [...new Set(result.rejected.find((r) => r.index === index)!.errors.map((e) => e.path))]
    expect(pathsOf(1)).toEqual(["readings.1.temperature"])
    expect(pathsOf(3).every((p) => p.startsWith("readings.3"))).toBe(true)
    expect(pathsOf(4)).toEqual(["readings.4.y"])
    expect(pathsOf(5)).toEqual(["readings.5.ts"])
    expect(pathsOf(6)).toEqual(["readings.6.ts"])
    for (const r of result.rejected) for (const e of r.errors) expect(e.message).toEqual(expect.any(String))

    const again = expectStatus(await anonymous.request("sensors.ingest", { headers, body: { deviceId, readings } }), 200)
    expect(again).toEqual({ accepted: 0, duplicates: 2, rejected: result.rejected })

    // Out of order is fine; a reading at a stored ts is a duplicate even with other values.
    const late = expectStatus(
      await anonymous.request("sensors.ingest", {
        headers,
        body: { deviceId, readings: [{ ts: iso(t - MINUTE), temperature: 19 }, { ts: iso(t), temperature: 25 }] }
      }),
      200
    )
    expect(late).toEqual({ accepted: 1, duplicates: 1, rejected: [] })
  })

  it("ingest without the device's key is 401: missing, wrong, another device's, or an unknown device", async () => {
    const { anonymous } = kit()
    const first = await teamWithDevice(kit())
    const second = await teamWithDevice(kit())
    const body = { deviceId: first.deviceId, readings: [{ ts: iso(pastHour()), temperature: 20 }] }
    expectProblem(await anonymous.request("sensors.ingest", { body }), 401)
    expectProblem(await anonymous.request("sensors.ingest", { headers: { "x-device-key": "" }, body }), 401)
    expectProblem(await anonymous.request("sensors.ingest", { headers: { "x-device-key": unique("key") }, body }), 401)
    expectProblem(await anonymous.request("sensors.ingest", { headers: { "x-device-key": second.ingestKey }, body }), 401)
    expectProblem(
      await anonymous.request("sensors.ingest", { headers: { "x-device-key": first.ingestKey }, body: { ...body, deviceId: unique("dev") } }),
      401
    )
    // Nothing was stored by the refusals.
    const readings = expectStatus(
      await first.member.api.request("sensors.query", {
        query: { deviceId: first.deviceId, from: iso(pastHour() - HOUR), to: iso(Date.now()) }
      }),
      200
    )
    expect(readings).toEqual([])
  })

  it("ingest of more than 1000 readings, or a batch that is not a list, is 400", async () => {
    const { anonymous } = kit()
    const { deviceId, ingestKey } = await teamWithDevice(kit())
    const t = pastHour()
    const headers = { "x-device-key": ingestKey }
    const many = Array.from({ length: 1001 }, (_, i) => ({ ts: t + i * 1000, temperature: 20 }))
    expectProblem(await anonymous.request("sensors.ingest", { headers, body: { deviceId, readings: many } }), 400, {
      paths: ["readings"],
      exactPaths: true
    })
    expectProblem(
      await kit().raw("POST", "/api/sensor-data", { headers, body: { deviceId, readings: { ts: t, temperature: 1 } } }),
      400,
      { paths: ["readings"] }
    )
    // Exactly 1000 is accepted.
    const result = expectStatus(await anonymous.request("sensors.ingest", { headers, body: { deviceId, readings: many.slice(0, 1000) } }), 200)
    expect(result).toEqual({ accepted: 1000, duplicates: 0, rejected: [] })
  })

  it("query: raw readings in [from, to) ascending, and 1m / 1h buckets with min, max, avg and count", async () => {
    const { anonymous } = kit()
    const { deviceId, ingestKey, member } = await teamWithDevice(kit())
    const t = pastHour()
    const readings = [
      { ts: iso(t + 30_000), temperature: 22, humidity: 50 },
      { ts: iso(t), temperature: 20 },
      { ts: iso(t + MINUTE), temperature: 30, co2: 800 },
      { ts: iso(t + HOUR + 5 * MINUTE), temperature: 10 },
      { ts: iso(t + 2 * HOUR), temperature: 0 }
    ]
    expectStatus(await anonymous.request("sensors.ingest", { headers: { "x-device-key": ingestKey }, body: { deviceId, readings } }), 200)

    const raw = expectStatus(
      await member.api.request("sensors.query", { query: { deviceId, from: iso(t), to: iso(t + 2 * HOUR), bucket: "raw" } }),
      200
    )
    expect(raw).toEqual([
      { deviceId, ts: iso(t), temperature: 20 },
      { deviceId, ts: iso(t + 30_000), temperature: 22, humidity: 50 },
      { deviceId, ts: iso(t + MINUTE), temperature: 30, co2: 800 },
      { deviceId, ts: iso(t + HOUR + 5 * MINUTE), temperature: 10 }
    ])
    // Epoch millis work as well as ISO-8601, and bucket defaults to raw.
    const byMillis = expectStatus(
      await member.api.request("sensors.query", { query: { deviceId, from: String(t + 1), to: String(t + MINUTE + 1) } }),
      200
    )
    expect(byMillis).toHaveLength(2)

    const minutes = expectStatus(
      await member.api.request("sensors.query", { query: { deviceId, from: iso(t), to: iso(t + 2 * MINUTE), bucket: "1m" } }),
      200
    )
    expect(minutes).toEqual([
      {
        start: iso(t),
        count: 2,
        temperature: { min: 20, max: 22, avg: 21 },
        humidity: { min: 50, max: 50, avg: 50 },
        co2: null,
        pm25: null
      },
      {
        start: iso(t + MINUTE),
        count: 1,
        temperature: { min: 30, max: 30, avg: 30 },
        humidity: null,
        co2: { min: 800, max: 800, avg: 800 },
        pm25: null
      }
    ])
    const hours = expectStatus(
      await member.api.request("sensors.query", { query: { deviceId, from: iso(t), to: iso(t + 3 * HOUR), bucket: "1h" } }),
      200
    )
    expect(hours).toEqual([
      {
        start: iso(t),
        count: 3,
        temperature: { min: 20, max: 30, avg: 24 },
        humidity: { min: 50, max: 50, avg: 50 },
        co2: { min: 800, max: 800, avg: 800 },
        pm25: null
      },
      { start: iso(t + HOUR), count: 1, temperature: { min: 10, max: 10, avg: 10 }, humidity: null, co2: null, pm25: null },
      { start: iso(t + 2 * HOUR), count: 1, temperature: { min: 0, max: 0, avg: 0 }, humidity: null, co2: null, pm25: null }
    ])
  })

  it("query and latest: a non-member 404; bad parameters 400 naming each", async () => {
    const { device, deviceId, member, outsider, teamId } = await teamWithDevice(kit())
    const range = { from: iso(pastHour()), to: iso(Date.now()) }
    expectProblem(await outsider.api.request("sensors.query", { query: { deviceId, ...range } }), 404)
    expectProblem(await member.api.request("sensors.query", { query: { deviceId: unique("dev"), ...range } }), 404)
    expectProblem(await outsider.api.request("sensors.latest", { query: { teamId } }), 404)
    expectProblem(await kit().anonymous.request("sensors.latest", { query: { teamId } }), 401)
    expectProblem(
      await member.api.request("sensors.query", { query: { deviceId, from: "soon", to: range.to, bucket: "5m" as "1m" } }),
      400,
      { paths: ["from", "bucket"], exactPaths: true }
    )
    expectProblem(await member.api.request("sensors.query", { query: { deviceId, from: range.to, to: range.from } }), 400, {
      paths: ["from"]
    })
    expectProblem(await kit().raw("GET", "/api/sensor-data", { token: member.accessToken }), 400, {
      paths: ["deviceId", "from", "to"],
      exactPaths: true
    })
    expect(device.teamId).toBe(teamId)
  })

  it("latest: the newest reading by measured time of every device of the team; a late older one does not replace it", async () => {
    const { anonymous } = kit()
    const team = await teamWithDevice(kit())
    const other = expectStatus(
      await team.owner.api.request("sensors.createDevice", { body: { teamId: team.teamId, name: unique("device") } }),
      201
    )
    const silent = expectStatus(
      await team.owner.api.request("sensors.createDevice", { body: { teamId: team.teamId, name: unique("device") } }),
      201
    )
    const t = pastHour()
    const ingest = async (deviceId: string, key: string, readings: ReadonlyArray<Record<string, unknown>>) =>
      expectStatus(await anonymous.request("sensors.ingest", { headers: { "x-device-key": key }, body: { deviceId, readings } }), 200)

    await ingest(team.deviceId, team.ingestKey, [{ ts: iso(t), temperature: 20 }, { ts: iso(t + MINUTE), temperature: 21, x: 1, y: 2 }])
    await ingest(other.deviceId, other.ingestKey, [{ ts: iso(t + 2 * MINUTE), co2: 500 }])
    // Arrives last, measured earlier.
    await ingest(team.deviceId, team.ingestKey, [{ ts: iso(t - HOUR), temperature: -5 }])

    const latest = expectStatus(await team.member.api.request("sensors.latest", { query: { teamId: team.teamId } }), 200)
    const byDevice = new Map(latest.map((r) => [r.deviceId, r]))
    expect(latest).toHaveLength(2)
    expect(byDevice.get(team.deviceId)).toEqual({ deviceId: team.deviceId, ts: iso(t + MINUTE), temperature: 21, x: 1, y: 2 })
    expect(byDevice.get(other.deviceId)).toEqual({ deviceId: other.deviceId, ts: iso(t + 2 * MINUTE), co2: 500 })
    expect(byDevice.has(silent.deviceId)).toBe(false)

    // A newer one does replace it.
    await ingest(team.deviceId, team.ingestKey, [{ ts: iso(t + 3 * MINUTE), humidity: 33 }])
    const after = expectStatus(await team.member.api.request("sensors.latest", { query: { teamId: team.teamId } }), 200)
    expect(after.find((r) => r.deviceId === team.deviceId)).toEqual({ deviceId: team.deviceId, ts: iso(t + 3 * MINUTE), humidity: 33 })
  })
}
