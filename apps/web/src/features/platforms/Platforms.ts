/**
 * The platforms the contract accepts, read off the route's own path Schema (so the list cannot
 * drift from the server's), with the names shown to people, and the types of this feature's
 * answers.
 */
import { PlatformRoutes, type RequestOf, type ResponseOf, type RouteNamed } from "@app/api"

export type Platform = RequestOf<RouteNamed<"platforms.listConfigs">>["params"]["platform"]
export type ConfigList = ResponseOf<RouteNamed<"platforms.listConfigs">>
export type PlatformConfig = ConfigList["configs"][number]
export type Credential = ResponseOf<RouteNamed<"platforms.listCredentials">>[number]
export type Campaign = ResponseOf<RouteNamed<"platforms.listCampaigns">>[number]
export type SyncAnswer = ResponseOf<RouteNamed<"platforms.syncCampaigns">>
export type ConfigSettings = PlatformConfig["settings"]

export const PLATFORMS: ReadonlyArray<Platform> = PlatformRoutes.listConfigs.params.fields.platform.literals

const names: Readonly<Record<Platform, string>> = {
  google: "Google Ads",
  meta: "Meta",
  naver: "Naver",
  kakao: "Kakao",
  tiktok: "TikTok"
}

/** "Google Ads" for "google"; an unknown slug as it is. */
export const platformName = (platform: string): string => names[platform as Platform] ?? platform

export const isPlatform = (slug: string | undefined): slug is Platform =>
  slug !== undefined && (PLATFORMS as ReadonlyArray<string>).includes(slug)

/** Query keys of this feature, all under "platforms" (cleared on logout with the rest). */
export const platformKeys = {
  configs: (platform: Platform) => ["platforms", platform, "configs"] as const,
  credentials: (platform: Platform) => ["platforms", platform, "credentials"] as const,
  campaignsOf: (platform: Platform) => ["platforms", platform, "campaigns"] as const,
  campaigns: (platform: Platform, filter: { readonly accountId?: string; readonly status?: string }) =>
    ["platforms", platform, "campaigns", filter] as const
}
