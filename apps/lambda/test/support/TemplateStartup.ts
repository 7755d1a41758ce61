/**
 * A built function started the way Lambda would start it from template.yaml: in a fresh Node
 * process, with exactly the environment the template gives that function (Globals and its own
 * variables, parameters at their defaults, the Secrets Manager references standing in for fresh
 * random keys, the KMS alias by its name) plus what Lambda itself sets, then invoked once with an
 * event of its kind. What it wrote to stdout (its JSON log lines) is returned, so a test can see
 * whether its runtime could be built from that environment.
 *
 * DynamoDB is pointed at a closed port: building a runtime creates clients and sends nothing, so
 * the invocation gets as far as the first request, which fails — after the part under test.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"

type Json = any

const run = promisify(execFile)

/** A template value with its intrinsic functions resolved for a stack at the parameters' defaults. */
const resolver = (template: Json) => {
  const parameters = template.Parameters as Record<string, Json>
  const substitute = (text: string): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      const parameter = parameters[name]
      if (parameter === undefined) throw new Error(`cannot resolve \${${name}} without a deployment`)
      return String(parameter.Default)
    })
  const resolve = (value: Json): string => {
    if (typeof value === "string" || typeof value === "number") return String(value)
    if (value?.Ref !== undefined) {
      if (value.Ref in parameters) return String(parameters[value.Ref].Default)
      const resource = template.Resources[value.Ref]
      // An alias's Ref is its name.
      if (resource?.Type === "AWS::KMS::Alias") return resolve(resource.Properties.AliasName)
      throw new Error(`cannot resolve Ref ${value.Ref} without a deployment`)
    }
    if (typeof value?.["Fn::Sub"] === "string") {
      // A Secrets Manager dynamic reference resolves to the secret: a fresh random key here.
      if (/^\{\{resolve:secretsmanager:\$\{\w+\}\}\}$/.test(value["Fn::Sub"])) return randomBytes(32).toString("hex")
      return substitute(value["Fn::Sub"])
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`)
  }
  return resolve
}

/** The environment a function of `template` runs with (its logical id), as Lambda would set it. */
export const deployedEnvironment = (template: Json, functionId: string): Record<string, string> => {
  const resolve = resolver(template)
  const variables = {
    ...template.Globals?.Function?.Environment?.Variables,
    ...template.Resources[functionId].Properties.Environment?.Variables
  } as Record<string, Json>
  return {
    ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)])),
    // What Lambda sets, and what stands in for AWS here.
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "templatestartup",
    AWS_SECRET_ACCESS_KEY: "templatestartup",
    AWS_LAMBDA_FUNCTION_NAME: String(resolve(template.Resources[functionId].Properties.FunctionName)),
    DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    DYNAMODB_MAX_ATTEMPTS: "1"
  }
}

/** The JSON lines a bundle's handler wrote to stdout when invoked once with `event`. */
export const invokeOnce = async (bundle: string, environment: Record<string, string>, event: unknown): Promise<Array<Record<string, unknown>>> => {
  const script = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)})`,
    `const context = { awsRequestId: "startup-check", functionName: process.env.AWS_LAMBDA_FUNCTION_NAME }`,
    `try { await handler(${JSON.stringify(event)}, context) } catch { /* the outcome is in the log */ }`
  ].join("\n")
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env["PATH"] ?? "", ...environment },
    timeout: 60_000
  })
  return stdout.split("\n").filter((line) => line.trim().startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
}
