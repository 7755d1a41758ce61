/**
 * API.md "Platforms and campaigns": configs with versions and a current one, credentials whose
 * secret never appears in any answer, campaigns and their sync. Every route refuses another
 * user's id in the path (403) and an unknown platform (400).
 */
import { expect, it } from "vitest"
import { expectProblem, expectStatus, isoInstant, unique, type Scenarios } from "./ScenarioKit.js"

const PLATFORM = "google"

export const platformScenarios = ({ kit }: Scenarios) => {
  it("configs: create is 201 at version 1; the first is current, makeCurrent moves it", async () => {
    const user = await kit().signup()
    const params = { userId: user.userId, platform: PLATFORM } as const
    expect(expectStatus(await user.api.request("platforms.listConfigs", { params }), 200)).toEqual({
      configs: [],
      currentConfigId: null
    })
    const first = expectStatus(
      await user.api.request("platforms.createConfig", { params, body: { name: " Main ", settings: { budget: 10, tags: ["a"] } } }),
      201
    )
    expect(first).toMatchObject({
      configId: expect.any(String),
      name: "Main",
      settings: { budget: 10, tags: ["a"] },
      version: 1,
      updatedAt: isoInstant
    })
    const second = expectStatus(
      await user.api.request("platforms.createConfig", { params, body: { name: "Second", settings: {} } }),
      201
    )
    let list = expectStatus(await user.api.request("platforms.listConfigs", { params }), 200)
    expect(list.currentConfigId).toBe(first.configId)
    expect(list.configs.map((c) => c.configId)).toEqual([first.configId, second.configId])

    const third = expectStatus(
      await user.api.request("platforms.createConfig", { params, body: { name: "Third", settings: {}, makeCurrent: true } }),
      201
    )
    list = expectStatus(await user.api.request("platforms.listConfigs", { params }), 200)
    expect(list.currentConfigId).toBe(third.configId)

    // Configs are per platform.
    expect(
      expectStatus(await user.api.request("platforms.listConfigs", { params: { userId: user.userId, platform: "meta" } }), 200)
    ).toEqual({ configs: [], currentConfigId: null })
  })

  it("configs: update at the current version bumps it; a stale version is 409 and changes nothing", async () => {
    const user = await kit().signup()
    const params = { userId: user.userId, platform: PLATFORM } as const
    const created = expectStatus(
      await user.api.request("platforms.createConfig", { params, body: { name: "A", settings: { v: 1 } } }),
      201
    )
    const other = expectStatus(await user.api.request("platforms.createConfig", { params, body: { name: "B", settings: {} } }), 201)
    const configParams = { ...params, configId: created.configId }
    const updated = expectStatus(
      await user.api.request("platforms.updateConfig", { params: configParams, body: { settings: { v: 2 }, version: 1 } }),
      200
    )
    expect(updated).toMatchObject({ configId: created.configId, name: "A", settings: { v: 2 }, version: 2 })

    expectProblem(
      await user.api.request("platforms.updateConfig", { params: configParams, body: { name: "Lost", version: 1 } }),
      409,
      { code: "VersionConflict" }
    )
    const renamed = expectStatus(
      await user.api.request("platforms.updateConfig", { params: configParams, body: { name: "Renamed", version: 2 } }),
      200
    )
    expect(renamed).toMatchObject({ name: "Renamed", settings: { v: 2 }, version: 3 })

    // makeCurrent through an update.
    expectStatus(
      await user.api.request("platforms.updateConfig", {
        params: { ...params, configId: other.configId },
        body: { makeCurrent: true, version: 1 }
      }),
      200
    )
    const list = expectStatus(await user.api.request("platforms.listConfigs", { params }), 200)
    expect(list.currentConfigId).toBe(other.configId)
    expect(list.configs.find((c) => c.configId === created.configId)).toMatchObject({ name: "Renamed", version: 3 })
  })

  it("configs: delete is 204, then 404; a bad body is 400 naming the field", async () => {
    const user = await kit().signup()
    const params = { userId: user.userId, platform: PLATFORM } as const
    const created = expectStatus(await user.api.request("platforms.createConfig", { params, body: { name: "D", settings: {} } }), 201)
    const configParams = { ...params, configId: created.configId }
    expect((await user.api.request("platforms.deleteConfig", { params: configParams })).status).toBe(204)
    expectProblem(await user.api.request("platforms.deleteConfig", { params: configParams }), 404)
    expectProblem(await user.api.request("platforms.updateConfig", { params: configParams, body: { name: "x", version: 1 } }), 404)
    expect(expectStatus(await user.api.request("platforms.listConfigs", { params }), 200).configs).toEqual([])

    const path = `/api/users/${user.userId}/platforms/${PLATFORM}/configs`
    expectProblem(await kit().raw("POST", path, { token: user.accessToken, body: { name: "", settings: [] } }), 400, {
      paths: ["name", "settings"],
      exactPaths: true
    })
    expectProblem(
      await kit().raw("PUT", `${path}/${created.configId}`, { token: user.accessToken, body: { name: "x" } }),
      400,
      { paths: ["version"], exactPaths: true }
    )
  })

  it("another user's id in the path is 403 on every platform route; an unknown platform is 400", async () => {
    const { signup } = kit()
    const [owner, intruder] = await Promise.all([signup(), signup()])
    const own = { userId: owner.userId, platform: PLATFORM } as const
    const config = expectStatus(await owner.api.request("platforms.createConfig", { params: own, body: { name: "C", settings: {} } }), 201)
    const accountId = unique("acct")
    expectStatus(await owner.api.request("platforms.putCredentials", { params: { ...own, accountId }, body: { credentials: "k" } }), 200)

    const api = intruder.api
    expectProblem(await api.request("platforms.listConfigs", { params: own }), 403)
    expectProblem(await api.request("platforms.createConfig", { params: own, body: { name: "X", settings: {} } }), 403)
    expectProblem(
      await api.request("platforms.updateConfig", { params: { ...own, configId: config.configId }, body: { name: "X", version: 1 } }),
      403
    )
    expectProblem(await api.request("platforms.deleteConfig", { params: { ...own, configId: config.configId } }), 403)
    expectProblem(await api.request("platforms.putCredentials", { params: { ...own, accountId }, body: { credentials: "x" } }), 403)
    expectProblem(await api.request("platforms.listCredentials", { params: own }), 403)
    expectProblem(await api.request("platforms.deleteCredentials", { params: { ...own, accountId } }), 403)
    expectProblem(await api.request("platforms.listCampaigns", { params: own }), 403)
    expectProblem(await api.request("platforms.syncCampaigns", { params: own }), 403)
    // The owner's data is untouched.
    expect(expectStatus(await owner.api.request("platforms.listConfigs", { params: own }), 200).configs).toHaveLength(1)
    expect(expectStatus(await owner.api.request("platforms.listCredentials", { params: own }), 200)).toHaveLength(1)

    const unknown = { userId: owner.userId, platform: "myspace" as "google" }
    expectProblem(await owner.api.request("platforms.listConfigs", { params: unknown }), 400, { paths: ["platform"], exactPaths: true })
    expectProblem(await owner.api.request("platforms.listCredentials", { params: unknown }), 400, { paths: ["platform"] })
    expectProblem(await owner.api.request("platforms.syncCampaigns", { params: unknown }), 400, { paths: ["platform"] })
    expectProblem(await kit().anonymous.request("platforms.listConfigs", { params: own }), 401)
  })

  it("credentials: put, list and delete; the secret never appears in any answer", async () => {
    const { raw, signup } = kit()
    const user = await signup()
    const token = user.accessToken
    const secret = `SECRETk${crypto.randomUUID().replaceAll("-", "")}`
    const jsonSecret = `SECRETj${crypto.randomUUID().replaceAll("-", "")}`
    const base = `/api/users/${user.userId}/platforms/${PLATFORM}`
    const [a, b] = [unique("acct"), unique("acct")].sort()
    const texts: Array<string> = []
    const keep = <T extends { text: string }>(answer: T) => (texts.push(answer.text), answer)

    const putA = keep(await raw("PUT", `${base}/credentials/${a}`, { token, body: { credentials: secret } }))
    expect(putA.status).toBe(200)
    expect(putA.json).toEqual({ accountId: a, status: "active", createdAt: isoInstant, lastSyncAt: null })
    const putB = keep(
      await raw("PUT", `${base}/credentials/${b}`, {
        token,
        body: { credentials: { clientId: "id", refreshToken: jsonSecret }, status: "inactive" }
      })
    )
    expect(putB.json).toEqual({ accountId: b, status: "inactive", createdAt: isoInstant, lastSyncAt: null })
    // Replacing keeps the stored status when none is given.
    const replaced = keep(await raw("PUT", `${base}/credentials/${b}`, { token, body: { credentials: `${jsonSecret}2` } }))
    expect(replaced.json).toMatchObject({ accountId: b, status: "inactive" })

    const list = keep(await raw("GET", `${base}/credentials`, { token }))
    expect(list.status).toBe(200)
    const listed = [...(list.json as Array<{ accountId: string }>)].sort((x, y) => (x.accountId < y.accountId ? -1 : 1))
    expect(listed).toEqual([
      { accountId: a, status: "active", createdAt: isoInstant, lastSyncAt: null },
      { accountId: b, status: "inactive", createdAt: isoInstant, lastSyncAt: null }
    ])
    keep(await raw("POST", `${base}/campaigns/sync`, { token }))
    keep(await raw("GET", `${base}/campaigns`, { token }))
    keep(await raw("GET", `${base}/configs`, { token }))
    keep(await raw("GET", "/api/users/me", { token }))
    // A refused put does not echo the secret either.
    const refused = keep(await raw("PUT", `${base}/credentials/${a}`, { token, body: { credentials: secret, status: "paused" } }))
    expectProblem(refused, 400, { paths: ["status"], exactPaths: true })
    for (const text of texts) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(jsonSecret)
    }

    expect((await raw("DELETE", `${base}/credentials/${a}`, { token })).status).toBe(204)
    expectProblem(await raw("DELETE", `${base}/credentials/${a}`, { token }), 404)
    expect((await raw("GET", `${base}/credentials`, { token })).json).toEqual([
      expect.objectContaining({ accountId: b })
    ])
    expectProblem(await raw("PUT", `${base}/credentials/${a}`, { token, body: { credentials: "" } }), 400, {
      paths: ["credentials"]
    })
    expectProblem(await raw("PUT", `${base}/credentials/bad%20id`, { token, body: { credentials: "k" } }), 400, {
      paths: ["accountId"]
    })
  })

  it("campaign sync reports each active account; a fresh account has no campaigns; lastSyncAt is recorded", async () => {
    const user = await kit().signup()
    const params = { userId: user.userId, platform: PLATFORM } as const
    expect(expectStatus(await user.api.request("platforms.syncCampaigns", { params }), 200)).toEqual({ accounts: [] })

    const [active1, active2, inactive] = [unique("acct"), unique("acct"), unique("acct")]
    for (const accountId of [active1, active2]) {
      expectStatus(await user.api.request("platforms.putCredentials", { params: { ...params, accountId }, body: { credentials: "key" } }), 200)
    }
    expectStatus(
      await user.api.request("platforms.putCredentials", {
        params: { ...params, accountId: inactive },
        body: { credentials: "key", status: "inactive" }
      }),
      200
    )
    const result = expectStatus(await user.api.request("platforms.syncCampaigns", { params }), 200)
    const byAccount = [...result.accounts].sort((x, y) => (x.accountId < y.accountId ? -1 : 1))
    expect(byAccount).toEqual(
      [active1, active2].sort().map((accountId) => ({ accountId, created: 0, updated: 0, unchanged: 0, removed: 0 }))
    )
    // Running it again changes nothing.
    const again = expectStatus(await user.api.request("platforms.syncCampaigns", { params }), 200)
    expect(again.accounts).toHaveLength(2)
    for (const account of again.accounts) expect(account).toMatchObject({ created: 0, updated: 0, removed: 0 })

    const credentials = expectStatus(await user.api.request("platforms.listCredentials", { params }), 200)
    for (const c of credentials) {
      if (c.accountId === inactive) expect(c.lastSyncAt).toBeNull()
      else expect(c.lastSyncAt).toEqual(isoInstant)
    }
  })

  it("campaigns list answers the caller's campaigns and accepts the accountId and status filters", async () => {
    const user = await kit().signup()
    const params = { userId: user.userId, platform: PLATFORM } as const
    const accountId = unique("acct")
    expectStatus(await user.api.request("platforms.putCredentials", { params: { ...params, accountId }, body: { credentials: "k" } }), 200)
    expectStatus(await user.api.request("platforms.syncCampaigns", { params }), 200)
    expect(expectStatus(await user.api.request("platforms.listCampaigns", { params }), 200)).toEqual([])
    expect(expectStatus(await user.api.request("platforms.listCampaigns", { params, query: { accountId } }), 200)).toEqual([])
    expect(
      expectStatus(await user.api.request("platforms.listCampaigns", { params, query: { accountId, status: "active" } }), 200)
    ).toEqual([])
    expectProblem(await user.api.request("platforms.listCampaigns", { params, query: { accountId: "bad id!" } }), 400, {
      paths: ["accountId"],
      exactPaths: true
    })
    expectProblem(await user.api.request("platforms.listCampaigns", { params, query: { status: "" } }), 400, {
      paths: ["status"],
      exactPaths: true
    })
  })
}
