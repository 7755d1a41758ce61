// Lint for the whole workspace. The module-boundary rule is the architecture's guard rail:
// the domain depends on nothing of ours and imports no I/O library; adapters and the contract
// depend on the domain only; shells wire api + adapters; the web app sees only the contract.
import nx from "@nx/eslint-plugin"
import reactHooks from "eslint-plugin-react-hooks"
import tseslint from "typescript-eslint"

const ioLibraries = [
  "@aws-sdk/*", "aws-sdk", "pg", "pg-*", "@electric-sql/*", "ioredis", "redis", "fastify", "@fastify/*",
  "mqtt", "ws", "node:http", "node:https", "node:net", "node:fs", "node:fs/promises", "node:child_process",
  "http", "https", "net", "fs", "child_process"
]

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.nx/**", "**/coverage/**", "**/*.d.ts"] },
  ...nx.configs["flat/base"],
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mjs", "**/*.js"],
    rules: {
      "@nx/enforce-module-boundaries": ["error", {
        enforceBuildableLibDependency: false,
        allow: [],
        depConstraints: [
          { sourceTag: "type:domain", onlyDependOnLibsWithTags: [], bannedExternalImports: ioLibraries },
          { sourceTag: "type:adapter", onlyDependOnLibsWithTags: ["type:domain"] },
          { sourceTag: "type:api", onlyDependOnLibsWithTags: ["type:domain"], bannedExternalImports: ["@aws-sdk/*", "pg", "ioredis", "fastify", "@fastify/*"] },
          { sourceTag: "type:shell", onlyDependOnLibsWithTags: ["type:api", "type:adapter", "type:domain"] },
          { sourceTag: "type:web", onlyDependOnLibsWithTags: ["type:api"], bannedExternalImports: ["@aws-sdk/*", "pg", "ioredis", "fastify", "@fastify/*"] }
        ]
      }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off"
    }
  },
  {
    // Tool configuration shares the root's vitest settings; it is not part of any project's code.
    // Examples import the published package by its name, as its users do.
    files: ["**/vitest.config.ts", "vitest.shared.ts", "eslint.config.mjs", "packages/domain/examples/**"],
    rules: { "@nx/enforce-module-boundaries": "off" }
  },
  {
    // The contract's scenario suite is written once in packages/api/test and run by each shell's
    // tests against its own deployment (as adapters run the domain's contract suites).
    // The web app's component tests run the real contract in process (packages/api/test/support).
    // DynamoDB Local's launcher and the free-port helper live in the AWS adapter's test support
    // (the one folder its own tests and the apps' tests may all import).
    files: ["apps/*/test/**/*.ts", "apps/*/test/**/*.tsx", "apps/*/e2e/**/*.ts"],
    rules: {
      "@nx/enforce-module-boundaries": ["error", {
        enforceBuildableLibDependency: false,
        allow: [
          "../../../packages/api/test/scenario/*",
          "../../../../packages/api/test/scenario/*",
          "../../../packages/api/test/support/*",
          "../../../../packages/api/test/support/*",
          "../../../packages/adapters-aws/test/support/*",
          "../../../../packages/adapters-aws/test/support/*"
        ],
        depConstraints: [
          { sourceTag: "type:shell", onlyDependOnLibsWithTags: ["type:api", "type:adapter", "type:domain"] },
          // Web tests may also drive the domain's in-memory fakes (the ad platforms) directly.
          { sourceTag: "type:web", onlyDependOnLibsWithTags: ["type:api", "type:domain"] }
        ]
      }]
    }
  },
  { files: ["apps/web/**/*.ts", "apps/web/**/*.tsx"], ...reactHooks.configs.flat["recommended-latest"] },
  {
    // Time, ids and randomness come through services in the domain so tests control them.
    files: ["packages/domain/src/**/*.ts"],
    ignores: ["packages/domain/src/contract/**", "packages/domain/src/**/contract/**"],
    rules: {
      "no-restricted-syntax": ["error",
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Use Clock.currentTimeMillis (Effect's Clock service)." },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Use Clock.currentTimeMillis (Effect's Clock service)." },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "Use the Randomness service." },
        { selector: "CallExpression[callee.property.name='randomUUID']", message: "Use the Ids service." }
      ],
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "!node:crypto"], message: "The domain does no I/O." }] }]
    }
  },
  {
    // node:crypto only where an implementation needs it.
    files: ["packages/domain/src/**/*.ts"],
    ignores: ["packages/domain/src/node/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*"], message: "The domain core does no I/O; node:crypto belongs under src/node/." }] }]
    }
  }
)
