/**
 * Where the API is: VITE_API_BASE_URL at build time (e.g. "https://api.example.com" for a static
 * build on S3 + CloudFront), or "" — the page's own origin, as when apps/server serves the app.
 */
export const apiBaseUrl: string = (import.meta.env["VITE_API_BASE_URL"] as string | undefined) ?? ""
