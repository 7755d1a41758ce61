/**
 * A User-Agent header in words for the approve page ("Chrome 156 on Linux"), so the person
 * approving can tell whether the login request comes from the computer in front of them. Only the
 * common browsers and systems are named; anything else is "Unknown browser" and the page shows
 * the raw header too. Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
 */
export interface UserAgentSummary {
  /** "Chrome 156", "Safari 17.4", "Unknown browser". */
  readonly browser: string
  /** "Linux", "Windows", "macOS", "iOS 17.2", "Android 14"; undefined when unknown. */
  readonly system: string | undefined
  /** The two together, as shown. */
  readonly text: string
}

const browsers: ReadonlyArray<readonly [name: string, pattern: RegExp]> = [
  ["Edge", /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ["Opera", /\b(?:OPR|Opera)\/(\d+)/],
  ["Samsung Internet", /\bSamsungBrowser\/(\d+)/],
  ["Firefox", /\b(?:Firefox|FxiOS)\/(\d+)/],
  ["Chrome", /\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\/(\d+)/],
  ["Safari", /\bVersion\/(\d+(?:\.\d+)?).*\bSafari\//]
]

const systems: ReadonlyArray<readonly [pattern: RegExp, name: (match: RegExpExecArray) => string]> = [
  [/\b(?:iPhone|iPad|iPod)\b.*?\bOS (\d+(?:_\d+)?)/, (m) => `iOS ${(m[1] ?? "").replace("_", ".")}`],
  [/\bAndroid (\d+(?:\.\d+)?)/, (m) => `Android ${m[1] ?? ""}`],
  [/\bCrOS\b/, () => "ChromeOS"],
  [/\bWindows\b/, () => "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, () => "macOS"],
  [/\bLinux\b|\bX11\b/, () => "Linux"]
]

export const summarizeUserAgent = (userAgent: string): UserAgentSummary => {
  let browser = "Unknown browser"
  for (const [name, pattern] of browsers) {
    const match = pattern.exec(userAgent)
    if (match !== null) {
      browser = `${name} ${match[1] ?? ""}`.trim()
      break
    }
  }
  let system: string | undefined
  for (const [pattern, name] of systems) {
    const match = pattern.exec(userAgent)
    if (match !== null) {
      system = name(match).trim()
      break
    }
  }
  return { browser, system, text: system === undefined ? browser : `${browser} on ${system}` }
}
