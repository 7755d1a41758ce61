/**
 * The `next` parameter of the login page: where to go back to after logging in, so an expired
 * session does not lose the page. Only paths of this app are followed (no `//evil.example`).
 */
export const safeNextPath = (raw: string | null | undefined, fallback = "/"): string =>
  raw !== null && raw !== undefined && raw.startsWith("/") && !raw.startsWith("//") && !raw.startsWith("/\\") ? raw : fallback

/** The login page's URL that comes back to `location` afterwards. */
export const loginPathFor = (location: { readonly pathname: string; readonly search: string; readonly hash: string }): string => {
  const here = `${location.pathname}${location.search}${location.hash}`
  return here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`
}
