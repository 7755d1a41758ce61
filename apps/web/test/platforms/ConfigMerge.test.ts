import { describe, expect, it } from "vitest"
import { mergeDraft } from "../../src/features/platforms/ConfigMerge"
import { parseSettings } from "../../src/features/platforms/SettingsJson"

describe("mergeDraft (reload and reapply my changes)", () => {
  const base = { name: "Summer", settings: { budget: 100, currency: "KRW", bid: "auto" } }

  it("keeps what I changed and takes their value for everything I left alone", () => {
    const mine = { name: "Summer", settings: { budget: 150, currency: "KRW", bid: "auto" } }
    const theirs = { name: "Summer sale", settings: { budget: 100, currency: "USD", bid: "auto", region: "KR" } }
    expect(mergeDraft(base, mine, theirs)).toEqual({
      name: "Summer sale",
      settings: { bid: "auto", budget: 150, currency: "USD", region: "KR" },
      overlaps: []
    })
  })

  it("keeps my deletions and my additions, and reports the fields both of us changed differently", () => {
    const mine = { name: "Mine", settings: { budget: 150, currency: "KRW", extra: true } }
    const theirs = { name: "Theirs", settings: { budget: 120, currency: "KRW", bid: "manual" } }
    expect(mergeDraft(base, mine, theirs)).toEqual({
      name: "Mine",
      settings: { budget: 150, currency: "KRW", extra: true },
      overlaps: ["name", "settings.bid", "settings.budget"]
    })
  })

  it("is no overlap when both made the same change", () => {
    const same = { name: "Summer", settings: { budget: 200, currency: "KRW", bid: "auto" } }
    expect(mergeDraft(base, same, same).overlaps).toEqual([])
  })
})

describe("parseSettings", () => {
  it("accepts a JSON object (empty text is {}) and says what is wrong otherwise", () => {
    expect(parseSettings("{\"a\": [1, {\"b\": null}]}")).toEqual({ ok: true, settings: { a: [1, { b: null }] } })
    expect(parseSettings("  ")).toEqual({ ok: true, settings: {} })
    expect(parseSettings("[1]")).toMatchObject({ ok: false, message: expect.stringMatching(/JSON object/) })
    expect(parseSettings("{budget: 1}")).toMatchObject({ ok: false, message: expect.stringMatching(/^Not valid JSON/) })
  })
})
