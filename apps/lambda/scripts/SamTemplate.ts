/**
 * template.yaml, generated: the hand-written skeleton (scripts/template-skeleton.yaml) plus
 * everything that must follow the code, so the deployment cannot drift from it:
 * - a DynamoDB table per definition of packages/adapters-aws Tables.ts (its cloudFormationProperties);
 * - per function of FunctionBundles.mjs: the function (CodeUri dist/functions/<name>/, handler
 *   index.handler, the secrets its wiring reads in its environment and no other), its log group
 *   and its own IAM role (FunctionAccess.ts: its tables and their
 *   indexes only, the credentials key only where needed, with the encryption context keys of the
 *   domain's credentialEncryptionContext);
 * - per HTTP function: one REST (`Api`, payload v1) and one HTTP API (`HttpApi`, payload v2) event
 *   per method and path of each endpoint of its FunctionGroups entry, bearer endpoints behind the
 *   Cognito authorizer when AuthMode is cognito; on the REST API an OPTIONS event per path (CORS
 *   preflights, which the functions answer, never behind the authorizer); the catch-all
 *   (`/{proxy+}` on REST, `$default` on the HTTP API, where preflights land too) to
 *   CATCH_ALL_FUNCTION, so an unknown path gets the contract's 404;
 * - the AppSync schema (schema.graphql) with a direct Lambda resolver on the chatResolver function
 *   for each root field of it (Query, Mutation, Subscription), so no field is left unresolved
 *   (an unresolved Subscription field lets any signed-in user subscribe to it);
 * - the IoT rule's SQL (the domain's readings topic).
 * `scripts/template.mjs` writes it; the template test checks the committed file is what this
 * produces.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Tables } from "@app/adapters-aws"
import type { AnyEndpoint, Method, RateLimitName } from "@app/api"
import { credentialEncryptionContext, READINGS_TOPIC_FILTER } from "@app/domain"
import { type Document, isMap, isScalar, Scalar } from "yaml"
import { CATCH_ALL_FUNCTION, type FunctionGroup, functionGroups } from "../src/FunctionGroups.js"
import { type SecretGroup, secretsRead } from "../src/FunctionWiring.js"
import { parseTemplateDocument, stringifyTemplate } from "./CloudFormationYaml.js"
import {
  credentialsKeyActions,
  type FunctionName,
  functionAccess,
  indexActions,
  tableActions,
  ttlStatusActions
} from "./FunctionAccess.js"
import { functionNames } from "./FunctionBundles.mjs"

/**
 * The files, under apps/lambda. Given by the caller rather than found from this module's URL:
 * scripts/template.mjs runs this module bundled into dist/, where its URL says nothing.
 */
export const templatePath = (projectDir: string) => join(projectDir, "template.yaml")
export const skeletonPath = (projectDir: string) => join(projectDir, "scripts", "template-skeleton.yaml")
export const schemaPath = (projectDir: string) => join(projectDir, "schema.graphql")

/** Every physical name starts with this (CloudFormation Sub syntax); DYNAMODB_TABLE_PREFIX is it too. */
export const namePrefix = "sivera-${Stage}-"

/** "chatResolver" → "ChatResolver", "auth.signup" → "AuthSignup". */
export const pascal = (name: string): string =>
  name.split(/[^A-Za-z0-9]+/).filter((part) => part !== "").map((part) => part[0]!.toUpperCase() + part.slice(1)).join("")

export const functionLogicalId = (name: FunctionName) => `${pascal(name)}Function`
export const roleLogicalId = (name: FunctionName) => `${pascal(name)}Role`
export const logGroupLogicalId = (name: FunctionName) => `${pascal(name)}LogGroup`
export const tableLogicalId = (table: Tables.TableKey) => `${pascal(table)}Table`

/** The REST API's and the HTTP API's events of one method of an endpoint. */
export const restEventName = (endpoint: AnyEndpoint, method: Method) => `${pascal(endpoint.name)}${pascal(method.toLowerCase())}Rest`
export const httpEventName = (endpoint: AnyEndpoint, method: Method) => `${pascal(endpoint.name)}${pascal(method.toLowerCase())}Http`
export const preflightEventName = (endpoint: AnyEndpoint) => `${pascal(endpoint.name)}OptionsRest`

/**
 * The catch-all routes: every request no route takes (and on the HTTP API, every preflight). An
 * HttpApi event without Path and Method is SAM's way to write the `$default` route.
 */
export const catchAllRest = { event: "CatchAllRest", path: "/{proxy+}", method: "any" } as const
export const catchAllHttp = { event: "CatchAllHttp" } as const

/** Which environment variable sets each rate-limit policy, and the stack parameter behind it. */
export const rateLimitSettings: Readonly<Record<RateLimitName, { readonly variable: string; readonly parameter: string }>> = {
  login: { variable: "RATE_LIMIT_LOGIN", parameter: "RateLimitLogin" },
  signup: { variable: "RATE_LIMIT_SIGNUP", parameter: "RateLimitSignup" },
  qrInit: { variable: "RATE_LIMIT_QR_INIT", parameter: "RateLimitQrInit" },
  ingest: { variable: "RATE_LIMIT_INGEST", parameter: "RateLimitIngest" }
}

/** A field of the schema's Query, Mutation or Subscription type. */
export interface SchemaRootField {
  readonly typeName: "Query" | "Mutation" | "Subscription"
  readonly fieldName: string
}

/**
 * The schema's definitions without descriptions (block strings, and a string alone on its line)
 * and comments, so braces and words in them do not count. There is no GraphQL parser among the
 * dependencies; the schema is small and plain SDL.
 */
export const schemaDefinitions = (sdl: string): string =>
  sdl.replace(/"""[\s\S]*?"""/g, "").replace(/^\s*"[^"\n]*"\s*$/gm, "").replace(/#[^\n]*/g, "")

/** What stands between the braces of `type <typeName> { … }`, or undefined without that type. */
export const schemaTypeBody = (definitions: string, typeName: string): string | undefined =>
  new RegExp(`\\btype ${typeName}\\s*\\{([^}]*)\\}`).exec(definitions)?.[1]

/** The root fields of a schema, each of which the template gives a resolver. */
export const schemaRootFields = (sdl: string): ReadonlyArray<SchemaRootField> => {
  const definitions = schemaDefinitions(sdl)
  return (["Query", "Mutation", "Subscription"] as const).flatMap((typeName) => {
    // Argument lists out first: their `name: Type` lines are not fields.
    const body = (schemaTypeBody(definitions, typeName) ?? "").replace(/\([^)]*\)/g, "()")
    return [...body.matchAll(/^\s*([_A-Za-z]\w*)\s*[(:]/gm)].map((match) => ({ typeName, fieldName: match[1]! }))
  })
}

export const resolverLogicalId = (field: SchemaRootField) => `${pascal(field.fieldName)}Resolver`

/** The IoT Core rule of 003: each device's readings, the device id from the topic's second level. */
export const sensorReadingsSql = `SELECT *, topic(2) AS deviceId FROM '${READINGS_TOPIC_FILTER}'`

/** The keys of the encryption context every credential is encrypted under. */
export const credentialContextKeys: ReadonlyArray<string> = Object.keys(credentialEncryptionContext("u" as never, "p" as never, "a" as never))

type Json = unknown

const ref = (name: string): Json => ({ Ref: name })
const getAtt = (resource: string, attribute: string): Json => ({ "Fn::GetAtt": [resource, attribute] })
const sub = (text: string): Json => ({ "Fn::Sub": text })
const ifCognito = (then: string): Json => ({ "Fn::If": ["UseCognitoAuthorizer", then, "NONE"] })

const isHttpFunction = (name: FunctionName): name is FunctionGroup => Object.hasOwn(functionGroups, name)

const endpointsOf = (name: FunctionGroup): ReadonlyArray<AnyEndpoint> => functionGroups[name] as ReadonlyArray<AnyEndpoint>

const methodsOf = (endpoint: AnyEndpoint): ReadonlyArray<Method> => [endpoint.method, ...endpoint.alsoMethods]

/**
 * Each path of the contract with the first endpoint serving it (in FunctionGroups order) and that
 * endpoint's function: where the REST API sends the path's CORS preflight.
 */
export const preflightTargets = (): ReadonlyMap<string, { readonly fn: FunctionGroup; readonly endpoint: AnyEndpoint }> => {
  const targets = new Map<string, { readonly fn: FunctionGroup; readonly endpoint: AnyEndpoint }>()
  for (const fn of Object.keys(functionGroups) as Array<FunctionGroup>) {
    for (const endpoint of endpointsOf(fn)) if (!targets.has(endpoint.path)) targets.set(endpoint.path, { fn, endpoint })
  }
  return targets
}

/**
 * The secrets each function's runtime reads (FunctionWiring.secretsRead, checked against what its
 * wiring builds by test/FunctionWiring.test.ts), and only those: the token keys where Auth runs,
 * the credentials key's id where the cipher does. cleanup has no wiring (its runtime is the
 * DynamoDB client alone) and reads none.
 */
const secretsOf = (name: FunctionName): ReadonlyArray<SecretGroup> =>
  Object.hasOwn(secretsRead, name) ? secretsRead[name as keyof typeof secretsRead] : []

/** The environment variables of each secret: dynamic references, resolved by CloudFormation at deploy. */
const secretVariables: Record<SecretGroup, Record<string, Json>> = {
  tokenKeys: {
    AUTH_ACCESS_TOKEN_SECRET: sub("{{resolve:secretsmanager:${AccessTokenSecret}}}"),
    AUTH_REFRESH_TOKEN_SECRET: sub("{{resolve:secretsmanager:${RefreshTokenSecret}}}")
  },
  // The key's alias, which grants nothing by itself: the role decides what the key may do.
  cipherKey: { KMS_KEY_ID: ref("CredentialsKeyAlias") }
}

/** Size and time where one function needs more than Globals give. */
const functionSizing: Partial<Record<FunctionName, { readonly MemorySize?: number; readonly Timeout?: number }>> = {
  // scrypt at the OWASP cost (N=2^17, r=8: 128 MiB per hash) on signup and login: a full vCPU.
  auth: { MemorySize: 1769 },
  // A campaign sync calls every account's ad platform; API Gateway waits 29 s at most.
  platforms: { Timeout: 29 },
  cleanup: { Timeout: 60 }
}

const descriptions: Record<FunctionName, string> = {
  auth: "HTTP: signup, login, refresh, logout",
  users: "HTTP: users",
  teams: "HTTP: teams and invitations",
  platforms: "HTTP: platform configs, credentials and campaigns",
  chat: "HTTP: chat rooms and messages",
  qr: "HTTP: QR login (polling status)",
  sensors: "HTTP: devices and sensor data",
  health: "HTTP: health, readiness, OpenAPI document",
  chatResolver: "AppSync: Query.listMessages, Mutation.sendMessage, Subscription.onMessage (who may subscribe)",
  sensorIngest: "IoT Core rule: sensors/+/readings",
  cleanup: "Schedule: checks the tables' TTL (expired items are DynamoDB's to delete)"
}

const restEvent = (endpoint: AnyEndpoint, method: Method): Json => ({
  Type: "Api",
  Properties: {
    RestApiId: ref("RestApi"),
    Path: endpoint.path,
    Method: method.toLowerCase(),
    ...(endpoint.auth === "bearer" ? { Auth: { Authorizer: ifCognito("CognitoAuthorizer") } } : {})
  }
})

const httpEvent = (endpoint: AnyEndpoint, method: Method): Json => ({
  Type: "HttpApi",
  Properties: {
    ApiId: ref("HttpApi"),
    Path: endpoint.path,
    Method: method.toLowerCase(),
    PayloadFormatVersion: "2.0",
    ...(endpoint.auth === "bearer" ? { Auth: { Authorizer: ifCognito("CognitoJwt") } } : {})
  }
})

const eventsOf = (name: FunctionName): Record<string, Json> | undefined => {
  if (isHttpFunction(name)) {
    const events: Record<string, Json> = {}
    for (const endpoint of endpointsOf(name)) {
      for (const method of methodsOf(endpoint)) {
        events[restEventName(endpoint, method)] = restEvent(endpoint, method)
        events[httpEventName(endpoint, method)] = httpEvent(endpoint, method)
      }
    }
    for (const [path, target] of preflightTargets()) {
      if (target.fn !== name) continue
      events[preflightEventName(target.endpoint)] = {
        Type: "Api",
        Properties: { RestApiId: ref("RestApi"), Path: path, Method: "options" }
      }
    }
    if (name === CATCH_ALL_FUNCTION) {
      events[catchAllRest.event] = { Type: "Api", Properties: { RestApiId: ref("RestApi"), Path: catchAllRest.path, Method: catchAllRest.method } }
      events[catchAllHttp.event] = { Type: "HttpApi", Properties: { ApiId: ref("HttpApi"), PayloadFormatVersion: "2.0" } }
    }
    return events
  }
  if (name === "cleanup") {
    return {
      Daily: {
        Type: "Schedule",
        Properties: { Schedule: "rate(1 day)", Description: "Checks that every expiring table has its TTL on", Enabled: true }
      }
    }
  }
  // chatResolver: invoked by the AppSync data source; sensorIngest: by the IoT rule (skeleton).
  return undefined
}

const environmentOf = (name: FunctionName): Record<string, Json> => {
  // The values never in a template: see secretVariables.
  const variables: Record<string, Json> = Object.assign({}, ...secretsOf(name).map((group) => secretVariables[group]))
  if (isHttpFunction(name)) {
    const policies = new Set(endpointsOf(name).flatMap((endpoint) => (endpoint.rateLimit === undefined ? [] : [endpoint.rateLimit.policy])))
    for (const policy of Object.keys(rateLimitSettings) as Array<RateLimitName>) {
      if (policies.has(policy)) variables[rateLimitSettings[policy].variable] = ref(rateLimitSettings[policy].parameter)
    }
  }
  return variables
}

const statement = (sid: string, actions: ReadonlyArray<string>, resource: Json, condition?: Json): Json => ({
  Sid: sid,
  Effect: "Allow",
  Action: [...actions],
  Resource: resource,
  ...(condition === undefined ? {} : { Condition: condition })
})

const policy = (policyName: string, statements: ReadonlyArray<Json>): Json => ({
  PolicyName: policyName,
  PolicyDocument: { Version: "2012-10-17", Statement: [...statements] }
})

const roleOf = (name: FunctionName): Json => {
  const access = functionAccess[name]
  const tables = Object.entries(access.tables) as Array<[Tables.TableKey, "read" | "readWrite"]>
  const tablesWith = (level: "read" | "readWrite") =>
    tables.filter(([, granted]) => granted === level).map(([table]) => getAtt(tableLogicalId(table), "Arn"))
  const indexes = tables.flatMap(([table]) =>
    Tables.definition(table).indexes.map((index) => sub(`\${${tableLogicalId(table)}.Arn}/index/${index.indexName}`)))
  const ttlTables = Tables.tableKeys.filter((table) => Tables.definition(table).ttlAttribute !== undefined)
  const dynamo = [
    ...(tablesWith("readWrite").length > 0 ? [statement("TablesReadWrite", tableActions.readWrite, tablesWith("readWrite"))] : []),
    ...(tablesWith("read").length > 0 ? [statement("TablesRead", tableActions.read, tablesWith("read"))] : []),
    ...(indexes.length > 0 ? [statement("IndexesQuery", indexActions, indexes)] : []),
    ...(access.ttlStatus
      ? [statement("TtlStatus", ttlStatusActions, ttlTables.map((table) => getAtt(tableLogicalId(table), "Arn")))]
      : [])
  ]
  const keyConditions = {
    "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": [...credentialContextKeys] },
    Null: Object.fromEntries(credentialContextKeys.map((key) => [`kms:EncryptionContext:${key}`, "false"]))
  }
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      Description: `Lambda ${name}: ${access.why}`,
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]
      },
      Policies: [
        policy("logs-and-traces", [
          statement("OwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"], getAtt(logGroupLogicalId(name), "Arn")),
          statement("Traces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
        ]),
        ...(dynamo.length > 0 ? [policy("dynamodb", dynamo)] : []),
        ...(access.credentialsKey
          ? [policy("credentials-key", [statement("CredentialsContextOnly", credentialsKeyActions, getAtt("CredentialsKey", "Arn"), keyConditions)])]
          : [])
      ]
    }
  }
}

const functionOf = (name: FunctionName): Json => {
  const environment = environmentOf(name)
  const events = eventsOf(name)
  return {
    Type: "AWS::Serverless::Function",
    Properties: {
      FunctionName: sub(`${namePrefix}${name}`),
      Description: descriptions[name],
      CodeUri: `dist/functions/${name}/`,
      Handler: "index.handler",
      Role: getAtt(roleLogicalId(name), "Arn"),
      LoggingConfig: { LogGroup: ref(logGroupLogicalId(name)), LogFormat: "Text" },
      ...functionSizing[name],
      ...(Object.keys(environment).length > 0 ? { Environment: { Variables: environment } } : {}),
      ...(events === undefined ? {} : { Events: events })
    }
  }
}

const logGroupOf = (name: FunctionName): Json => ({
  Type: "AWS::Logs::LogGroup",
  Properties: {
    LogGroupName: sub(`/aws/lambda/${namePrefix}${name}`),
    RetentionInDays: ref("LogRetentionInDays")
  }
})

const tableOf = (table: Tables.TableKey): Json => ({
  Type: "AWS::DynamoDB::Table",
  // Users' data: kept when the stack is deleted or a change would replace the table.
  DeletionPolicy: "Retain",
  UpdateReplacePolicy: "Retain",
  Properties: Tables.cloudFormationProperties(table, sub(`${namePrefix}${Tables.definition(table).name}`))
})

/** A direct Lambda resolver (no mapping templates): the chat resolver receives AppSync's event. */
const resolverOf = (field: SchemaRootField): Json => ({
  Type: "AWS::AppSync::Resolver",
  DependsOn: "ChatGraphQLSchema",
  Properties: {
    ApiId: getAtt("ChatGraphQLApi", "ApiId"),
    TypeName: field.typeName,
    FieldName: field.fieldName,
    Kind: "UNIT",
    DataSourceName: getAtt("ChatResolverDataSource", "Name")
  }
})

const header = [
  " GENERATED by `npm run template -w @app/lambda` (scripts/template.mjs) from",
  " scripts/template-skeleton.yaml, src/FunctionGroups.ts, src/FunctionWiring.ts (secretsRead),",
  " scripts/FunctionAccess.ts, packages/adapters-aws Tables.ts and schema.graphql. Do not edit:",
  " change those and regenerate (the template test fails while this file is stale). Build the",
  " bundles first (`npm run build -w @app/lambda`), then `sam deploy` from apps/lambda."
].join("\n")

/** The template document: the skeleton with the generated resources added. */
export const templateDocument = (projectDir: string): Document => {
  const document = parseTemplateDocument(readFileSync(skeletonPath(projectDir), "utf8"))
  const resources = document.get("Resources")
  if (!isMap(resources)) throw new Error("the skeleton has no Resources")
  const add = (id: string, value: Json, comment?: string) => {
    if (resources.has(id)) throw new Error(`the skeleton already defines ${id}, which the generator adds`)
    const pair = document.createPair(id, value)
    if (comment !== undefined && isScalar(pair.key)) {
      pair.key.commentBefore = ` ${comment}`
      pair.key.spaceBefore = true
    }
    resources.items.push(pair)
  }
  const set = (path: ReadonlyArray<string>, value: Json) => {
    if (!document.hasIn(path.slice(0, -1))) throw new Error(`the skeleton has no ${path.slice(0, -1).join(".")}`)
    document.setIn(path, document.createNode(value))
  }

  const sdl = readFileSync(schemaPath(projectDir), "utf8")
  const schema = new Scalar(sdl)
  schema.type = Scalar.BLOCK_LITERAL
  set(["Resources", "ChatGraphQLSchema", "Properties", "Definition"], schema)
  set(["Resources", "SensorReadingsTopicRule", "Properties", "TopicRulePayload", "Sql"], sensorReadingsSql)

  for (const [index, field] of schemaRootFields(sdl).entries()) {
    add(resolverLogicalId(field), resolverOf(field), index === 0 ? "AppSync resolvers: one per root field of schema.graphql, all on the chat resolver" : undefined)
  }

  for (const [index, table] of Tables.tableKeys.entries()) {
    add(tableLogicalId(table), tableOf(table), index === 0 ? "DynamoDB tables: packages/adapters-aws/src/dynamodb/Tables.ts" : undefined)
  }
  for (const name of functionNames) {
    add(logGroupLogicalId(name), logGroupOf(name), `${name}: ${functionAccess[name].why}`)
    add(roleLogicalId(name), roleOf(name))
    add(functionLogicalId(name), functionOf(name))
  }
  document.commentBefore = header
  return document
}

/** template.yaml's text as it must be. */
export const renderTemplate = (projectDir: string): string => stringifyTemplate(templateDocument(projectDir))
