/**
 * template.yaml against the code and the contract. There is no SAM CLI or cfn-lint here (and none
 * may be downloaded), so "valid" is support/TemplateValidation.ts: the structural rules
 * CloudFormation and the SAM transform enforce, for the resource types used. Then:
 * - the committed file is exactly what scripts/template.mjs generates (it cannot drift);
 * - every handler it names is in the build (the bundler runs first);
 * - every route of API.md but the SSE stream is routed, on the REST API and on the HTTP API, to
 *   exactly one function whose FunctionGroups entry serves it, with an authorizer on bearer
 *   routes only;
 * - the tables are Tables.ts's; each function has its own role granting its tables only, the KMS
 *   key only to credentials and only in their encryption context; Cognito's password policy is
 *   002's; AppSync, IoT and the schedule are wired to their functions;
 * - and the roles against what the routes really send: the contract's scenario suite runs on
 *   DynamoDB Local with one client per function (support/TemplateAccess.ts), and every request
 *   each function made must be granted by that function's role in the template.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Tables } from "@app/adapters-aws"
import type { AnyEndpoint } from "@app/api"
import { credentialEncryptionContext, PASSWORD_MIN_LENGTH } from "@app/domain"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { scenarioSuite } from "../../../packages/api/test/scenario/ScenarioSuite.js"
import { apiDocRoutes, isDeviceKey, isPublic, SERVED_BY_REALTIME } from "../../../packages/api/test/support/ApiDocRoutes.js"
import { parseTemplate } from "../scripts/CloudFormationYaml.js"
import * as Granted from "../scripts/FunctionAccess.js"
import { bundleFunctions, functionNames, projectDir } from "../scripts/FunctionBundles.mjs"
import {
  catchAllHttp,
  catchAllRest,
  functionLogicalId,
  namePrefix,
  preflightTargets,
  renderTemplate,
  schemaDefinitions,
  schemaPath,
  schemaRootFields,
  schemaTypeBody,
  tableLogicalId,
  templatePath
} from "../scripts/SamTemplate.js"
import { resolvedFields } from "../src/ChatResolver.js"
import { CATCH_ALL_FUNCTION, functionGroups } from "../src/FunctionGroups.js"
import * as FunctionWiring from "../src/FunctionWiring.js"
import { restEvent } from "./support/ProxyEvents.js"
import { type Access, type FunctionsTarget, makeFunctionsTarget, UNROUTED } from "./support/TemplateAccess.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { deployedEnvironment, invokeOnce } from "./support/TemplateStartup.js"
import { branches, validateTemplate } from "./support/TemplateValidation.js"

type Json = any

const text = readFileSync(templatePath(projectDir), "utf8")
const template = parseTemplate(text) as Json
const resources = template.Resources as Record<string, Json>
const resourcesOf = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type)
const functions = resourcesOf("AWS::Serverless::Function")
const functionResource = (name: Granted.FunctionName) => resources[functionLogicalId(name)]
const groupOf = (name: string) => (functionGroups as Record<string, ReadonlyArray<AnyEndpoint>>)[name]

const clone = <A>(value: A): A => structuredClone(value)
const contract = apiDocRoutes()
const routed = contract.filter((route) => !SERVED_BY_REALTIME.has(route.key))

interface RoutedEvent {
  readonly fn: string
  readonly event: string
  readonly method: string
  readonly path: string
  readonly authorizer: Json
}
const allEventsOfType = (type: "Api" | "HttpApi"): Array<RoutedEvent> =>
  functions.flatMap(([id, resource]) =>
    Object.entries((resource.Properties.Events ?? {}) as Record<string, Json>)
      .filter(([, event]) => event.Type === type)
      .map(([event, { Properties: p }]) => ({
        fn: functionNames.find((name) => functionLogicalId(name) === id)!,
        event,
        // An HttpApi event without Path and Method is the $default route.
        method: String(p.Method ?? "any").toUpperCase(),
        path: p.Path ?? "$default",
        authorizer: p.Auth?.Authorizer
      })))
/** The events of the contract's routes: not the preflights (OPTIONS) and not the catch-all. */
const eventsOfType = (type: "Api" | "HttpApi"): Array<RoutedEvent> =>
  allEventsOfType(type).filter((e) => e.method !== "OPTIONS" && e.method !== "ANY")

// The build the template names (dist/functions), made once for this file's tests.
beforeAll(async () => {
  await bundleFunctions()
}, 120_000)

describe("template.yaml", () => {
  it("is what the generator makes of the skeleton and the code (run `npm run template -w @app/lambda`)", () => {
    expect(text === renderTemplate(projectDir), "template.yaml is stale").toBe(true)
  })

  it("is structurally valid CloudFormation and SAM", () => {
    expect(validateTemplate(template)).toEqual([])
  })

  it.each([
    ["a Ref to nothing", (t: Json) => (t.Resources.UserPoolClient.Properties.UserPoolId = { Ref: "NoSuchPool" }), /Ref NoSuchPool names nothing/],
    ["a GetAtt of an attribute the type lacks", (t: Json) => (t.Resources.AuthFunction.Properties.Role = { "Fn::GetAtt": ["AuthRole", "Name"] }), /has no attribute Name/],
    ["a Sub variable naming nothing", (t: Json) => (t.Resources.UsersTable.Properties.TableName = { "Fn::Sub": "${Stag}-users" }), /Ref Stag names nothing/],
    ["an undefined condition", (t: Json) => (t.Resources.UsersFunction.Properties.Events.UsersMeGetRest.Properties.Auth.Authorizer["Fn::If"][0] = "Nope"), /condition Nope/],
    ["an unknown property", (t: Json) => (t.Resources.UsersTable.Properties.Billing = "PAY_PER_REQUEST"), /has no property Billing/],
    ["a missing required property", (t: Json) => delete t.Resources.UsersTable.Properties.KeySchema, /requires KeySchema/],
    ["an unknown resource type", (t: Json) => (t.Resources.UsersTable.Type = "AWS::DynamoDB::Tabel"), /unknown resource type/],
    ["an authorizer the API lacks", (t: Json) => (t.Resources.UsersFunction.Properties.Events.UsersMeGetRest.Properties.Auth.Authorizer = "Cognito"), /authorizer "Cognito"/],
    ["a route served twice", (t: Json) => (t.Resources.UsersFunction.Properties.Events.Twice = t.Resources.UsersFunction.Properties.Events.UsersMeGetRest), /routes RestApi GET \/api\/users\/me again/],
    ["a key attribute without a definition", (t: Json) => t.Resources.TeamsTable.Properties.AttributeDefinitions.pop(), /not in AttributeDefinitions/],
    ["a function without a handler", (t: Json) => delete t.Resources.QrFunction.Properties.Handler, /needs Handler/],
    ["a DependsOn on nothing", (t: Json) => (t.Resources.SendMessageResolver.DependsOn = "NoSchema"), /NoSchema is not a resource/],
    ["a role description IAM refuses", (t: Json) => (t.Resources.AuthRole.Properties.Description = "Lambda auth — signup"), /at most 1000 Latin-1 characters/],
    ["a malformed IAM action", (t: Json) => t.Resources.AuthRole.Properties.Policies[0].PolicyDocument.Statement[0].Action.push("PutLogEvents"), /not service:Action/]
  ])("the validation catches %s", (_what, mutate, expected) => {
    const broken = clone(template)
    mutate(broken)
    expect(validateTemplate(broken).join("\n")).toMatch(expected)
  })

  it("has one function per entry of FunctionBundles: the FunctionGroups, the chat resolver, the sensor ingest and the cleanup", () => {
    expect([...functionNames].sort()).toEqual([...Object.keys(functionGroups), "chatResolver", "sensorIngest", "cleanup"].sort())
    expect(functions.map(([id]) => id).sort()).toEqual(functionNames.map(functionLogicalId).sort())
    for (const name of functionNames) {
      expect(functionResource(name).Properties).toMatchObject({ CodeUri: `dist/functions/${name}/`, Handler: "index.handler" })
    }
    expect(template.Globals.Function).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], Tracing: "Active" })
  })

  it("names only handlers that exist in the build: an ES module exporting `handler`", () => {
    for (const [id, resource] of functions) {
      const [file, exported] = String(resource.Properties.Handler).split(".")
      const bundle = join(projectDir, resource.Properties.CodeUri, `${file}.mjs`)
      expect(existsSync(bundle), `${id}: ${bundle}`).toBe(true)
      const source = readFileSync(bundle, "utf8")
      const exports = [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",").map((s) => s.trim().split(/\s+as\s+/).pop()))
      expect(exports, `${id} exports`).toContain(exported)
    }
  })

  describe("routes", () => {
    it("API.md parses into its route tables (a guard against a silently broken parser)", () => {
      expect(contract.length).toBeGreaterThanOrEqual(45)
      expect(contract.map((r) => r.key)).toContain("GET /api/qr/{challengeId}/status")
      expect(routed.length).toBe(contract.length - 1)
    })

    it.each(["Api", "HttpApi"] as const)("%s: every route of API.md but the SSE stream goes to exactly one function, which serves it", (type) => {
      const events = eventsOfType(type)
      for (const route of routed) {
        const matches = events.filter((e) => e.method === route.method && e.path === route.path)
        expect(matches.map((e) => e.fn), route.key).toHaveLength(1)
        const served = groupOf(matches[0]!.fn)!.some((endpoint) =>
          endpoint.path === route.path && [endpoint.method, ...endpoint.alsoMethods].includes(route.method as never))
        expect(served, `${route.key} → ${matches[0]!.fn}, whose FunctionGroups entry does not serve it`).toBe(true)
      }
    })

    it.each(["Api", "HttpApi"] as const)("%s: routes nothing API.md does not have, and not the SSE stream", (type) => {
      const keys = new Set(routed.map((r) => r.key))
      for (const event of eventsOfType(type)) expect(keys.has(`${event.method} ${event.path}`), `${event.fn}.${event.event}`).toBe(true)
    })

    it.each([["Api", "CognitoAuthorizer"], ["HttpApi", "CognitoJwt"]] as const)(
      "%s: the Cognito authorizer (with AuthMode cognito) on bearer routes, none on public and device-key routes",
      (type, authorizer) => {
        const events = eventsOfType(type)
        for (const route of routed) {
          const event = events.find((e) => e.method === route.method && e.path === route.path)!
          const endpoint = groupOf(event.fn)!.find((e) =>
            e.path === route.path && [e.method, ...e.alsoMethods].includes(route.method as never))!
          if (isPublic(route) || isDeviceKey(route)) {
            expect(event.authorizer, route.key).toBeUndefined()
            expect(endpoint.auth, route.key).toBe("none")
          } else {
            expect(event.authorizer, route.key).toEqual({ "Fn::If": ["UseCognitoAuthorizer", authorizer, "NONE"] })
            expect(branches(event.authorizer), route.key).toEqual([authorizer, "NONE"])
            expect(endpoint.auth, route.key).toBe("bearer")
          }
        }
        expect(template.Conditions.UseCognitoAuthorizer).toEqual({ "Fn::Equals": [{ Ref: "AuthMode" }, "cognito"] })
      }
    )

    it("REST: each path has a CORS preflight (OPTIONS) route to a function serving it, never behind the authorizer", () => {
      const preflights = allEventsOfType("Api").filter((e) => e.method === "OPTIONS")
      const paths = [...new Set(routed.map((r) => r.path))].sort()
      expect(preflights.map((e) => e.path).sort()).toEqual(paths)
      for (const event of preflights) {
        expect(event.authorizer, event.path).toBeUndefined()
        expect(groupOf(event.fn)!.some((endpoint) => endpoint.path === event.path), `${event.path} → ${event.fn}`).toBe(true)
        expect(preflightTargets().get(event.path)?.fn).toBe(event.fn)
      }
    })

    it("the catch-all (REST /{proxy+}, HTTP API $default: unknown paths, and the HTTP API's preflights) goes to the catch-all function", () => {
      for (const [type, event, path] of [["Api", catchAllRest.event, catchAllRest.path], ["HttpApi", catchAllHttp.event, "$default"]] as const) {
        const catchAll = allEventsOfType(type).filter((e) => e.method === "ANY")
        expect(catchAll.map((e) => ({ fn: e.fn, event: e.event, path: e.path, authorizer: e.authorizer }))).toEqual([
          { fn: CATCH_ALL_FUNCTION, event, path, authorizer: undefined }
        ])
      }
      expect(allEventsOfType("HttpApi").filter((e) => e.method === "OPTIONS")).toEqual([])
    })
  })

  it("has exactly the tables of Tables.ts, each with its cloudFormationProperties, under the functions' table prefix", () => {
    const tables = resourcesOf("AWS::DynamoDB::Table")
    expect(tables.map(([id]) => id).sort()).toEqual(Tables.tableKeys.map(tableLogicalId).sort())
    for (const table of Tables.tableKeys) {
      const resource = resources[tableLogicalId(table)]
      expect(resource.Properties, table).toEqual(
        Tables.cloudFormationProperties(table, { "Fn::Sub": `${namePrefix}${Tables.definition(table).name}` })
      )
      expect(resource.DeletionPolicy).toBe("Retain")
    }
    expect(template.Globals.Function.Environment.Variables.DYNAMODB_TABLE_PREFIX).toEqual({ "Fn::Sub": namePrefix })
  })

  describe("roles", () => {
    const roleOf = (name: Granted.FunctionName) => {
      const role = functionResource(name).Properties.Role
      expect(role, name).toMatchObject({ "Fn::GetAtt": [expect.any(String), "Arn"] })
      return resources[role["Fn::GetAtt"][0]]
    }
    const statementsOf = (name: Granted.FunctionName) =>
      (roleOf(name).Properties.Policies as Array<Json>).flatMap((policy) => policy.PolicyDocument.Statement as Array<Json>)
    const tableOfArn = (resource: Json): string => {
      const [id, attribute] = resource["Fn::GetAtt"] ?? []
      expect(attribute).toBe("Arn")
      return Tables.tableKeys.find((t) => tableLogicalId(t) === id)!
    }

    it("each function has a role of its own", () => {
      const roles = functionNames.map((name) => functionResource(name).Properties.Role["Fn::GetAtt"][0])
      expect(new Set(roles).size).toBe(functionNames.length)
      for (const role of roles) expect(resources[role].Type).toBe("AWS::IAM::Role")
    })

    it.each([...functionNames])("%s: DynamoDB on its own tables and their indexes only, never on `*`", (name) => {
      const access = Granted.functionAccess[name] as { tables: Partial<Record<Tables.TableKey, "read" | "readWrite">> }
      const all = statementsOf(name).filter((s) => [s.Action].flat().some((a: string) => a.startsWith("dynamodb:")))
      const dynamo = all.filter((s) => JSON.stringify(s.Action) !== JSON.stringify(Granted.ttlStatusActions))
      const ttl = all.filter((s) => JSON.stringify(s.Action) === JSON.stringify(Granted.ttlStatusActions))
      expect(ttl.flatMap((s) => [s.Resource].flat().map(tableOfArn)).sort(), `${name}: DescribeTimeToLive`).toEqual(
        Granted.functionAccess[name].ttlStatus ? Tables.tableKeys.filter((t) => Tables.definition(t).ttlAttribute !== undefined).sort() : []
      )
      const granted: Record<string, Array<string>> = {}
      const indexes: Array<string> = []
      for (const statement of dynamo) {
        for (const resource of [statement.Resource].flat()) {
          expect(resource, `${name}: ${statement.Sid}`).not.toBe("*")
          if (resource["Fn::Sub"] !== undefined) {
            const match = /^\$\{(\w+)\.Arn\}\/index\/([\w.-]+)$/.exec(resource["Fn::Sub"])!
            expect(match, resource["Fn::Sub"]).not.toBeNull()
            const table = Tables.tableKeys.find((t) => tableLogicalId(t) === match[1])!
            expect(Tables.indexOf(table, match[2]!), resource["Fn::Sub"]).toBeDefined()
            expect(statement.Action).toEqual(Granted.indexActions)
            indexes.push(`${table}/${match[2]}`)
          } else {
            const table = tableOfArn(resource)
            expect(granted[table], `${name}: ${table} granted twice`).toBeUndefined()
            granted[table] = statement.Action
          }
        }
      }
      expect(Object.keys(granted).sort()).toEqual(Object.keys(access.tables).sort())
      for (const [table, level] of Object.entries(access.tables)) expect(granted[table], `${name} on ${table}`).toEqual(Granted.tableActions[level!])
      expect(indexes.sort()).toEqual(
        Object.keys(access.tables).flatMap((t) => Tables.definition(t as Tables.TableKey).indexes.map((i) => `${t}/${i.indexName}`)).sort()
      )
      expect(all.flatMap((s) => [s.Action].flat()).some((a: string) => a === "dynamodb:Scan" || a === "dynamodb:*")).toBe(false)
    })

    it("only the functions that handle credentials may use the KMS key, only with the credentials' encryption context", () => {
      const contextKeys = Object.keys(credentialEncryptionContext("u" as never, "p" as never, "a" as never))
      for (const name of functionNames) {
        const kms = statementsOf(name).filter((s) => [s.Action].flat().some((a: string) => a.startsWith("kms:")))
        if (!Granted.functionAccess[name].credentialsKey) {
          expect(kms, name).toEqual([])
          continue
        }
        expect(kms, name).toEqual([{
          Sid: expect.any(String),
          Effect: "Allow",
          Action: [...Granted.credentialsKeyActions],
          Resource: { "Fn::GetAtt": ["CredentialsKey", "Arn"] },
          Condition: {
            "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": contextKeys },
            Null: Object.fromEntries(contextKeys.map((k) => [`kms:EncryptionContext:${k}`, "false"]))
          }
        }])
      }
      expect(functionNames.filter((name) => Granted.functionAccess[name].credentialsKey)).toEqual(["platforms"])
      expect(resources.CredentialsKeyAlias.Properties).toEqual({
        AliasName: { "Fn::Sub": "alias/sivera-${Stage}-credentials" },
        TargetKeyId: { Ref: "CredentialsKey" }
      })
      expect(resources.CredentialsKey.Properties.EnableKeyRotation).toBe(true)
    })

    it("each function writes logs to its own log group only", () => {
      for (const name of functionNames) {
        const logGroup = functionResource(name).Properties.LoggingConfig.LogGroup.Ref
        expect(resources[logGroup].Type).toBe("AWS::Logs::LogGroup")
        const logs = statementsOf(name).filter((s) => [s.Action].flat().some((a: string) => a.startsWith("logs:")))
        expect(logs.map((s) => s.Resource)).toEqual([{ "Fn::GetAtt": [logGroup, "Arn"] }])
      }
    })
  })

  it("stays within CloudFormation's and Lambda's limits once SAM has expanded it (an estimate)", () => {
    // SAM turns each function into one AWS::Lambda::Function, adds one AWS::Lambda::Permission per
    // API event and a rule and a permission per schedule, and a RestApi + Deployment + Stage and an
    // HttpApi + Stage. A function's resource policy holds one statement (~350 bytes) per API event,
    // and may not exceed 20 KB.
    const events = functions.flatMap(([, resource]) => Object.values((resource.Properties.Events ?? {}) as Record<string, Json>))
    const expanded = Object.keys(resources).length +
      events.filter((e) => e.Type === "Api" || e.Type === "HttpApi").length +
      2 * events.filter((e) => e.Type === "Schedule").length +
      (3 - 1) + (2 - 1)
    expect(expanded).toBeLessThan(500)
    for (const [id, resource] of functions) {
      expect(Object.keys(resource.Properties.Events ?? {}).length * 350, id).toBeLessThan(20 * 1024)
    }
  })

  it("gives every function the settings it reads and no other secret: the token keys where Auth runs, the KMS key to platforms alone, rate limits where routes have them", () => {
    const secretVariables = { tokenKeys: ["AUTH_ACCESS_TOKEN_SECRET", "AUTH_REFRESH_TOKEN_SECRET"], cipherKey: ["KMS_KEY_ID"] } as const
    const reads = (name: Granted.FunctionName): ReadonlyArray<FunctionWiring.SecretGroup> =>
      name === "cleanup" ? [] : FunctionWiring.secretsRead[name]
    for (const name of functionNames) {
      const variables = (functionResource(name).Properties.Environment?.Variables ?? {}) as Record<string, Json>
      for (const [group, names] of Object.entries(secretVariables) as Array<[FunctionWiring.SecretGroup, ReadonlyArray<string>]>) {
        for (const variable of names) expect(variable in variables, `${name}.${variable}`).toBe(reads(name).includes(group))
      }
      const policies = new Set((groupOf(name) ?? []).flatMap((endpoint) => (endpoint.rateLimit === undefined ? [] : [endpoint.rateLimit.policy])))
      const rateLimitVariables = Object.keys(variables).filter((v) => v.startsWith("RATE_LIMIT_")).sort()
      expect(rateLimitVariables, name).toEqual([...policies].map((p) => `RATE_LIMIT_${p.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`).sort())
    }
    // What secretsRead says, spelled out (test/FunctionWiring.test.ts checks it against the wirings).
    const having = (variable: string) => functionNames.filter((name) => variable in (functionResource(name).Properties.Environment?.Variables ?? {}))
    expect(having("KMS_KEY_ID")).toEqual(["platforms"])
    expect(functionNames.filter((name) => !having("AUTH_ACCESS_TOKEN_SECRET").includes(name)).sort()).toEqual(["cleanup", "health", "sensorIngest"])
    expect(having("AUTH_REFRESH_TOKEN_SECRET")).toEqual(having("AUTH_ACCESS_TOKEN_SECRET"))
    expect(template.Globals.Function.Environment.Variables).toMatchObject({
      AUTH_MODE: { Ref: "AuthMode" },
      LOG_LEVEL: { Ref: "LogLevel" },
      PUBLIC_URL: { Ref: "PublicUrl" },
      CORS_ORIGINS: { Ref: "CorsOrigins" }
    })
  })

  it("keeps secrets out of the file: the token keys are generated by Secrets Manager and resolved at deploy", () => {
    for (const [id, resource] of functions) {
      for (const [variable, value] of Object.entries((resource.Properties.Environment?.Variables ?? {}) as Record<string, Json>)) {
        if (/SECRET|PASSWORD|PRIVATE/.test(variable)) {
          expect(value, `${id}.${variable}`).toMatchObject({ "Fn::Sub": expect.stringMatching(/^\{\{resolve:secretsmanager:\$\{\w+\}\}\}$/) })
        }
      }
    }
    for (const id of ["AccessTokenSecret", "RefreshTokenSecret"]) {
      expect(resources[id].Properties.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(32)
      expect(resources[id].Properties.SecretString).toBeUndefined()
    }
  })

  it("gives the Cognito user pool the password policy of 002, email sign-in and verified email", () => {
    const seed = readFileSync(join(projectDir, "../../../shared/seeds/002_e3465cc3638c771c.txt"), "utf8")
    const written = /PasswordPolicy=\{([^}]*)\}/.exec(seed)![1]!
    const policy = Object.fromEntries(written.split(",").map((pair) => {
      const [key, value] = pair.split("=")
      return [key!, value === "true" ? true : value === "false" ? false : Number(value)]
    }))
    expect(Object.keys(policy).sort()).toEqual(["MinimumLength", "RequireLowercase", "RequireNumbers", "RequireUppercase"])
    const pool = resources.UserPool.Properties
    expect(pool.Policies.PasswordPolicy).toMatchObject(policy)
    expect(pool.Policies.PasswordPolicy.MinimumLength).toBe(PASSWORD_MIN_LENGTH)
    expect(pool.AutoVerifiedAttributes).toEqual(["email"])
    expect(pool.UsernameAttributes).toEqual(["email"])
    expect(resources.RestApi.Properties.Auth.Authorizers.CognitoAuthorizer.UserPoolArn).toEqual({ "Fn::GetAtt": ["UserPool", "Arn"] })
  })

  it("makes API Gateway's own refusals problem+json: an unknown method or path is a 404 RouteNotFound, a refused token a 401", () => {
    const responses = resources.RestApi.Properties.GatewayResponses
    for (const [type, status, code] of [["MISSING_AUTHENTICATION_TOKEN", 404, "RouteNotFound"], ["UNAUTHORIZED", 401, "InvalidToken"]] as const) {
      const response = responses[type]
      expect(response.StatusCode).toBe(String(status))
      expect(response.ResponseParameters.Headers["Content-Type"]).toBe("'application/problem+json'")
      const body = JSON.parse(response.ResponseTemplates["application/json"])
      expect(body).toMatchObject({ status, code })
    }
  })

  it("wires AppSync: the schema has the resolved fields, onMessage subscribes to sendMessage, each root field goes to chatResolver", () => {
    const schema = readFileSync(schemaPath(projectDir), "utf8")
    expect(resources.ChatGraphQLSchema.Properties.Definition).toBe(schema)
    const definitions = schemaDefinitions(schema)
    const body = (type: string) => schemaTypeBody(definitions, type) ?? ""
    expect(body("Query")).toMatch(/listMessages\(roomId: ID!, before: Int, after: Int, limit: Int\): MessagePage!/)
    expect(body("Mutation")).toMatch(/sendMessage\(roomId: ID!, body: String!, clientMessageId: ID!\): Message!/)
    // roomId required: a subscription without it would be matched against every room's messages.
    expect(body("Subscription")).toMatch(/onMessage\(roomId: ID!\): Message @aws_subscribe\(mutations: \["sendMessage"\]\)/)
    // The subscription filter matches the mutation result's roomId: the result type must have it.
    expect(body("Message")).toMatch(/^\s*roomId: ID!$/m)
    const rootFields = schemaRootFields(schema).map((f) => `${f.typeName}.${f.fieldName}`)
    expect(rootFields).toEqual(["Query.listMessages", "Mutation.sendMessage", "Subscription.onMessage"])
    const resolvers = resourcesOf("AWS::AppSync::Resolver").map(([, r]) => r)
    // Every root field resolved, the subscription too: without its resolver anyone signed in could
    // subscribe to any room.
    expect(resolvers.map((r) => `${r.Properties.TypeName}.${r.Properties.FieldName}`).sort()).toEqual([...rootFields].sort())
    expect([...resolvedFields].sort()).toEqual([...rootFields].sort())
    for (const resolver of resolvers) {
      expect(resolver.Properties).toEqual({
        ApiId: { "Fn::GetAtt": ["ChatGraphQLApi", "ApiId"] },
        TypeName: resolver.Properties.TypeName,
        FieldName: resolver.Properties.FieldName,
        Kind: "UNIT",
        DataSourceName: { "Fn::GetAtt": ["ChatResolverDataSource", "Name"] }
      })
      expect(resolver.DependsOn).toBe("ChatGraphQLSchema")
    }
    expect(resources.ChatResolverDataSource.Properties).toMatchObject({
      Type: "AWS_LAMBDA",
      LambdaConfig: { LambdaFunctionArn: { "Fn::GetAtt": ["ChatResolverFunction", "Arn"] } }
    })
    expect(resources.ChatGraphQLApi.Properties.AuthenticationType).toBe("AMAZON_COGNITO_USER_POOLS")
    expect(resources.ChatGraphQLApi.Properties.AdditionalAuthenticationProviders).toBeUndefined()
  })

  it("finds the root fields of a schema with descriptions, comments and arguments over several lines", () => {
    const sdl = [
      "# type Query { commented: Int }",
      "type Query {",
      '  "a field"',
      "  one(",
      "    a: Int",
      "    b: String",
      "  ): Int",
      '  """',
      "  type Mutation { inDescription: Int }",
      '  """',
      "  two: String",
      "}",
      "type Subscription { three(x: ID!): Int @aws_subscribe(mutations: [\"m\"]) }"
    ].join("\n")
    expect(schemaRootFields(sdl)).toEqual([
      { typeName: "Query", fieldName: "one" },
      { typeName: "Query", fieldName: "two" },
      { typeName: "Subscription", fieldName: "three" }
    ])
  })

  it("wires IoT Core: every device's readings topic to sensorIngest, which IoT may invoke", () => {
    const rule = resources.SensorReadingsTopicRule.Properties.TopicRulePayload
    expect(rule.Sql).toBe("SELECT *, topic(2) AS deviceId FROM 'sensors/+/readings'")
    expect(rule.Actions).toEqual([{ Lambda: { FunctionArn: { "Fn::GetAtt": ["SensorIngestFunction", "Arn"] } } }])
    const permissions = resourcesOf("AWS::Lambda::Permission").map(([, p]) => p.Properties)
    expect(permissions).toContainEqual(expect.objectContaining({
      FunctionName: { Ref: "SensorIngestFunction" },
      Principal: "iot.amazonaws.com",
      SourceArn: { "Fn::GetAtt": ["SensorReadingsTopicRule", "Arn"] }
    }))
  })

  it("runs cleanup (the TTL check) on a schedule, and nothing else may read the TTL settings", () => {
    const events = Object.values(functionResource("cleanup").Properties.Events) as Array<Json>
    expect(events).toEqual([expect.objectContaining({ Type: "Schedule", Properties: expect.objectContaining({ Enabled: true }) })])
    expect(functionNames.filter((name) => Granted.functionAccess[name].ttlStatus)).toEqual(["cleanup"])
  })
})

// ---------------------------------------------------------------------------------------------
// Each built function started with the environment the template gives it.

describe("each function, started from the build with the environment the template gives it", () => {
  const id = "01J0STARTUPCHECK0000000000"
  const claims = { sub: "startup-check-user", email: "startup-check@example.test", email_verified: "true", name: "Startup Check" }
  /** An event of the function's kind that gets past event validation (so the runtime is built). */
  const eventFor = (name: Granted.FunctionName): unknown => {
    const group = groupOf(name)
    if (group !== undefined) {
      const endpoint = group[0]!
      return restEvent({
        method: endpoint.method,
        path: endpoint.path.replace(/\{[^}]+\}/g, id),
        claims,
        ...(endpoint.hasBody ? { body: "{}", headers: { "content-type": "application/json" } } : {})
      })
    }
    switch (name) {
      case "chatResolver":
        return { info: { parentTypeName: "Query", fieldName: "listMessages" }, arguments: { roomId: id }, identity: { sub: claims.sub, claims } }
      case "sensorIngest":
        return { deviceId: id, ts: 1_700_000_000_000, temperature: 21.5 }
      default:
        return { "detail-type": "Scheduled Event", source: "aws.events", detail: {} }
    }
  }
  const startFailures = (lines: ReadonlyArray<Record<string, unknown>>) =>
    lines.filter((line) => line["message"] === "configuration is not usable" || line["message"] === "runtime could not be built")

  it.each([...functionNames])("%s builds its runtime", async (name) => {
    const lines = await invokeOnce(
      join(projectDir, `dist/functions/${name}/index.mjs`),
      deployedEnvironment(template, functionLogicalId(name)),
      eventFor(name)
    )
    expect(lines.length, `${name} logged nothing`).toBeGreaterThan(0)
    expect(startFailures(lines), name).toEqual([])
    expect(lines.filter((line) => line["message"] === "malformed event" || line["reason"] === "InvalidEvent"), `${name}: the check's event`).toEqual([])
  }, 60_000)

  it("(a control: without a token key, a function's runtime does not build, and the check sees it)", async () => {
    const { AUTH_ACCESS_TOKEN_SECRET: _, ...environment } = deployedEnvironment(template, functionLogicalId("users"))
    const lines = await invokeOnce(join(projectDir, "dist/functions/users/index.mjs"), environment, eventFor("users"))
    expect(startFailures(lines).length).toBeGreaterThan(0)
  }, 60_000)
})

// ---------------------------------------------------------------------------------------------
// The roles against the requests: the scenario suite through one runtime per function.

let functionsTarget: FunctionsTarget | undefined

scenarioSuite("one DynamoDB client per Lambda function (role check)", async () => {
  const dynamo = await DynamoDbLocal.start()
  try {
    functionsTarget = await makeFunctionsTarget(dynamo.endpoint)
  } catch (error) {
    await dynamo.stop()
    throw error
  }
  const target = functionsTarget.target
  return { ...target, dispose: async () => {
    await target.dispose()
    await dynamo.stop()
  } }
})

describe("each HTTP function's role, against the requests its routes sent during the scenarios", () => {
  /** What a role grants, as "action table" and "action table/index/name". */
  const grantsOf = (fn: Granted.FunctionName): Set<string> => {
    const role = resources[functionResource(fn).Properties.Role["Fn::GetAtt"][0]]
    const tableOf = (id: string) => Tables.tableKeys.find((t) => tableLogicalId(t) === id)
    const grants = new Set<string>()
    for (const policy of role.Properties.Policies as Array<Json>) {
      for (const statement of policy.PolicyDocument.Statement as Array<Json>) {
        for (const resource of [statement.Resource].flat()) {
          const index = typeof resource["Fn::Sub"] === "string" ? /^\$\{(\w+)\.Arn\}(\/index\/[\w.-]+)$/.exec(resource["Fn::Sub"]) : null
          const [table, suffix] = index !== null ? [tableOf(index[1]!), index[2]] : [tableOf(resource["Fn::GetAtt"]?.[0]), ""]
          if (table === undefined) continue
          for (const action of [statement.Action].flat()) grants.add(`${action} ${table}${suffix}`)
        }
      }
    }
    return grants
  }
  const needed = (access: Access) => `${access.action} ${access.table}${access.index === undefined ? "" : `/index/${access.index}`}`
  const recorded = (fn: string): ReadonlyArray<Access> => {
    expect(functionsTarget, "the scenario target did not start").toBeDefined()
    return functionsTarget!.accesses.get(fn) ?? []
  }

  it.each(Object.keys(functionGroups) as Array<Granted.FunctionName>)("%s: its role grants every request it sent", (fn) => {
    const grants = grantsOf(fn)
    const refused = [...new Set(recorded(fn).map(needed))].filter((permission) => !grants.has(permission))
    expect(recorded(fn).length, `${fn} sent no request at all: the scenarios did not reach it`).toBeGreaterThan(0)
    expect(refused, `${fn} would be refused`).toEqual([])
  })

  it.each(Object.keys(functionGroups))("%s: its role grants no table its routes never touched (but users: a new Cognito caller's first request creates the user)", (fn) => {
    const touched = new Set(recorded(fn).map((access) => access.table))
    const access = Granted.functionAccess[fn as Granted.FunctionName] as { tables: Record<string, string> }
    const bearer = groupOf(fn)!.some((endpoint) => endpoint.auth === "bearer")
    const unused = Object.keys(access.tables).filter((table) => !touched.has(table as Tables.TableKey) && !(table === "users" && bearer))
    expect(unused, `${fn} is granted tables it never used`).toEqual([])
  })

  it("requests no route matches touched no table", () => {
    expect(recorded(UNROUTED)).toEqual([])
  })

  it("the chat resolver runs the chat routes' use cases, and is granted what they are", () => {
    expect(Granted.functionAccess.chatResolver.tables).toEqual(Granted.functionAccess.chat.tables)
  })

  afterAll(() => {
    functionsTarget = undefined
  })
})
