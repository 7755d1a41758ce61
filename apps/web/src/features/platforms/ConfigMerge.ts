/**
 * "Reload and reapply my changes" after a version conflict: a three-way merge of what the editor
 * started from (base), what the editor has now (mine) and what is stored now (theirs). A field the
 * editor did not touch takes their value; a field the editor changed keeps the editor's. Settings
 * merge key by key at the top level, so two people editing different settings both keep theirs;
 * where both changed the same key, the editor's value wins and the key is reported, so the form
 * can say which of their changes the save would replace.
 */
import type { ConfigSettings } from "./Platforms"
import { jsonEquals } from "./SettingsJson"

export interface ConfigDraft {
  readonly name: string
  readonly settings: ConfigSettings
}

export interface MergedDraft extends ConfigDraft {
  /** Fields ("name", "settings.<key>") that both sides changed, differently: mine was kept. */
  readonly overlaps: ReadonlyArray<string>
}

export const mergeDraft = (base: ConfigDraft, mine: ConfigDraft, theirs: ConfigDraft): MergedDraft => {
  const overlaps: Array<string> = []
  const nameChanged = mine.name !== base.name
  if (nameChanged && theirs.name !== base.name && theirs.name !== mine.name) overlaps.push("name")

  const settings: Record<string, unknown> = {}
  const keys = new Set([...Object.keys(base.settings), ...Object.keys(mine.settings), ...Object.keys(theirs.settings)])
  for (const key of [...keys].sort()) {
    const inBase = Object.hasOwn(base.settings, key)
    const inMine = Object.hasOwn(mine.settings, key)
    const inTheirs = Object.hasOwn(theirs.settings, key)
    const mineChanged = inBase !== inMine || (inMine && !jsonEquals(base.settings[key], mine.settings[key]))
    if (mineChanged) {
      const theirsChanged = inBase !== inTheirs || (inTheirs && !jsonEquals(base.settings[key], theirs.settings[key]))
      const same = inMine === inTheirs && (!inMine || jsonEquals(mine.settings[key], theirs.settings[key]))
      if (theirsChanged && !same) overlaps.push(`settings.${key}`)
      if (inMine) settings[key] = mine.settings[key]
    } else if (inTheirs) {
      settings[key] = theirs.settings[key]
    }
  }
  return { name: nameChanged ? mine.name : theirs.name, settings: settings as ConfigSettings, overlaps }
}
