/**
 * Lets a child process run this workspace's TypeScript sources without a build, the way vitest
 * does in-process: `node --conditions=@app/source --import <this file> src/….ts`. Node (≥ 22.18)
 * strips the types itself; this hook only maps the `./X.js` specifiers of the sources to the
 * `./X.ts` files that exist. Used by the tests that start the migration command as a process.
 */
import { existsSync } from "node:fs"
import { registerHooks } from "node:module"
import { fileURLToPath } from "node:url"

const isRelative = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../")

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL
    if (isRelative(specifier) && specifier.endsWith(".js") && parent?.startsWith("file:") === true) {
      const asWritten = new URL(specifier, parent)
      const source = new URL(`${specifier.slice(0, -".js".length)}.ts`, parent)
      if (!existsSync(fileURLToPath(asWritten)) && existsSync(fileURLToPath(source))) {
        return nextResolve(source.href, context)
      }
    }
    return nextResolve(specifier, context)
  }
})
