/**
 * The build of the single-page app: React, @app/api bundled from its TypeScript sources (the
 * `@app/source` export condition, as everywhere in the workspace), output in dist/ which
 * apps/server serves at `/` (or S3 + CloudFront serves as static files).
 *
 * VITE_API_BASE_URL (read at build time) is the API's origin, e.g. "https://api.example.com";
 * empty (the default) means the API is on the page's own origin. In dev, /api and /ws are
 * proxied to a server on :3000 (`npm start` or `npx nx run @app/server:serve`).
 */
import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

const apiTarget = process.env["DEV_API_TARGET"] ?? "http://127.0.0.1:3000"

export default defineConfig({
  base: "/",
  plugins: [react()],
  resolve: { conditions: ["@app/source"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // The entry chunk holds @app/api's client, whose route table brings Effect Schema and the
    // domain's schemas along (~540 KB, ~170 KB gzip); features are split into their own chunks.
    chunkSizeWarningLimit: 700
  },
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/ws": { target: apiTarget, ws: true }
    }
  }
})
