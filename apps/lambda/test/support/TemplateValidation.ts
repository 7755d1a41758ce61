/**
 * A structural check of a SAM / CloudFormation template, in place of `sam validate` and cfn-lint
 * (neither is installed here, and neither may be downloaded): what CloudFormation or the SAM
 * transform would refuse before creating anything, for the resource types this app uses.
 * - Sections, the format version, the SAM transform.
 * - Every resource has a known type, its required properties, and no property that type does not
 *   have; resource attributes are known; DependsOn and Condition name what exists.
 * - Every intrinsic function is one CloudFormation has and is well formed; every Ref, GetAtt and
 *   Sub variable names a parameter, a resource or a pseudo parameter, every GetAtt an attribute
 *   its resource's type has; Fn::If and Condition name a condition.
 * - Parameters' defaults satisfy their own AllowedValues / AllowedPattern.
 * - SAM: functions have a handler, runtime and code (Globals counted); their events are of a
 *   known type, reference an API of this template and, for API events, only authorizers that API
 *   defines; no two events route the same method and path of one API.
 * - IAM policy documents: version, Effect, `service:action` actions, alphanumeric Sids.
 * It returns the problems found (empty: valid as far as these rules go); a problem names the
 * place in the template.
 */

type Json = unknown
type JsonObject = Record<string, Json>

const isObject = (value: Json): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value)

const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix"
])

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
  "Globals"
])

const RESOURCE_ATTRIBUTES = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Condition",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy"
])

const PARAMETER_TYPES = new Set(["String", "Number", "List<Number>", "CommaDelimitedList"])

interface ResourceType {
  readonly required: ReadonlyArray<string>
  readonly allowed: ReadonlyArray<string>
  /** Attributes Fn::GetAtt may read. */
  readonly attributes: ReadonlyArray<string>
}

/** The resource types this app uses: their required and allowed properties, and their attributes. */
export const resourceTypes: Readonly<Record<string, ResourceType>> = {
  "AWS::Serverless::Function": {
    required: [],
    allowed: [
      "Architectures", "AssumeRolePolicyDocument", "AutoPublishAlias", "AutoPublishCodeSha256", "CodeSigningConfigArn",
      "CodeUri", "DeadLetterQueue", "DeploymentPreference", "Description", "Environment", "EphemeralStorage",
      "EventInvokeConfig", "Events", "FileSystemConfigs", "FunctionName", "FunctionUrlConfig", "Handler",
      "ImageConfig", "ImageUri", "InlineCode", "KmsKeyArn", "Layers", "LoggingConfig", "MemorySize", "PackageType",
      "PermissionsBoundary", "Policies", "PropagateTags", "ProvisionedConcurrencyConfig", "RecursiveLoop",
      "ReservedConcurrentExecutions", "Role", "Runtime", "RuntimeManagementConfig", "SnapStart", "Tags", "Timeout",
      "Tracing", "VersionDescription", "VpcConfig"
    ],
    attributes: ["Arn"]
  },
  "AWS::Serverless::Api": {
    required: ["StageName"],
    allowed: [
      "AccessLogSetting", "AlwaysDeploy", "ApiKeySourceType", "Auth", "BinaryMediaTypes", "CacheClusterEnabled",
      "CacheClusterSize", "CanarySetting", "Cors", "DefinitionBody", "DefinitionUri", "Description",
      "DisableExecuteApiEndpoint", "Domain", "EndpointConfiguration", "FailOnWarnings", "GatewayResponses",
      "MergeDefinitions", "MethodSettings", "MinimumCompressionSize", "Mode", "Models", "Name", "OpenApiVersion",
      "Policy", "PropagateTags", "StageName", "Tags", "TracingEnabled", "Variables"
    ],
    attributes: ["RootResourceId"]
  },
  "AWS::Serverless::HttpApi": {
    required: [],
    allowed: [
      "AccessLogSettings", "Auth", "CorsConfiguration", "DefaultRouteSettings", "DefinitionBody", "DefinitionUri",
      "Description", "DisableExecuteApiEndpoint", "Domain", "FailOnWarnings", "Name", "PropagateTags",
      "RouteSettings", "StageName", "StageVariables", "Tags"
    ],
    attributes: ["ApiEndpoint"]
  },
  "AWS::DynamoDB::Table": {
    required: ["KeySchema"],
    allowed: [
      "AttributeDefinitions", "BillingMode", "ContributorInsightsSpecification", "DeletionProtectionEnabled",
      "GlobalSecondaryIndexes", "ImportSourceSpecification", "KeySchema", "KinesisStreamSpecification",
      "LocalSecondaryIndexes", "OnDemandThroughput", "PointInTimeRecoverySpecification", "ProvisionedThroughput",
      "ResourcePolicy", "SSESpecification", "StreamSpecification", "TableClass", "TableName", "Tags",
      "TimeToLiveSpecification", "WarmThroughput"
    ],
    attributes: ["Arn", "StreamArn", "TableId"]
  },
  "AWS::IAM::Role": {
    required: ["AssumeRolePolicyDocument"],
    allowed: [
      "AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path",
      "PermissionsBoundary", "Policies", "RoleName", "Tags"
    ],
    attributes: ["Arn", "RoleId"]
  },
  "AWS::Logs::LogGroup": {
    required: [],
    allowed: ["DataProtectionPolicy", "FieldIndexPolicies", "KmsKeyId", "LogGroupClass", "LogGroupName", "RetentionInDays", "Tags"],
    attributes: ["Arn"]
  },
  "AWS::SecretsManager::Secret": {
    required: [],
    allowed: ["Description", "GenerateSecretString", "KmsKeyId", "Name", "ReplicaRegions", "SecretString", "Tags"],
    attributes: ["Id"]
  },
  "AWS::Cognito::UserPool": {
    required: [],
    allowed: [
      "AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes",
      "DeletionProtection", "DeviceConfiguration", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
      "EmailConfiguration", "EmailVerificationMessage", "EmailVerificationSubject", "EnabledMfas", "LambdaConfig",
      "MfaConfiguration", "Policies", "Schema", "SmsAuthenticationMessage", "SmsConfiguration",
      "SmsVerificationMessage", "UserAttributeUpdateSettings", "UserPoolAddOns", "UserPoolName", "UserPoolTags",
      "UserPoolTier", "UsernameAttributes", "UsernameConfiguration", "VerificationMessageTemplate",
      "WebAuthnRelyingPartyID", "WebAuthnUserVerification"
    ],
    attributes: ["Arn", "ProviderName", "ProviderURL", "UserPoolId"]
  },
  "AWS::Cognito::UserPoolClient": {
    required: ["UserPoolId"],
    allowed: [
      "AccessTokenValidity", "AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthScopes",
      "AnalyticsConfiguration", "AuthSessionValidity", "CallbackURLs", "ClientName", "DefaultRedirectURI",
      "EnablePropagateAdditionalUserContextData", "EnableTokenRevocation", "ExplicitAuthFlows", "GenerateSecret",
      "IdTokenValidity", "LogoutURLs", "PreventUserExistenceErrors", "ReadAttributes", "RefreshTokenRotation",
      "RefreshTokenValidity", "SupportedIdentityProviders", "TokenValidityUnits", "UserPoolId", "WriteAttributes"
    ],
    attributes: ["ClientId", "ClientSecret", "Name"]
  },
  "AWS::AppSync::GraphQLApi": {
    required: ["Name", "AuthenticationType"],
    allowed: [
      "AdditionalAuthenticationProviders", "ApiType", "AuthenticationType", "EnhancedMetricsConfig",
      "EnvironmentVariables", "IntrospectionConfig", "LambdaAuthorizerConfig", "LogConfig", "MergedApiExecutionRoleArn",
      "Name", "OpenIDConnectConfig", "OwnerContact", "QueryDepthLimit", "ResolverCountLimit", "Tags",
      "UserPoolConfig", "Visibility", "XrayEnabled"
    ],
    attributes: ["ApiId", "Arn", "GraphQLDns", "GraphQLEndpointArn", "GraphQLUrl", "RealtimeDns", "RealtimeUrl"]
  },
  "AWS::AppSync::GraphQLSchema": {
    required: ["ApiId"],
    allowed: ["ApiId", "Definition", "DefinitionS3Location"],
    attributes: []
  },
  "AWS::AppSync::DataSource": {
    required: ["ApiId", "Name", "Type"],
    allowed: [
      "ApiId", "Description", "DynamoDBConfig", "ElasticsearchConfig", "EventBridgeConfig", "HttpConfig",
      "LambdaConfig", "MetricsConfig", "Name", "OpenSearchServiceConfig", "RelationalDatabaseConfig",
      "ServiceRoleArn", "Type"
    ],
    attributes: ["DataSourceArn", "Name"]
  },
  "AWS::AppSync::Resolver": {
    required: ["ApiId", "TypeName", "FieldName"],
    allowed: [
      "ApiId", "CachingConfig", "Code", "CodeS3Location", "DataSourceName", "FieldName", "Kind", "MaxBatchSize",
      "MetricsConfig", "PipelineConfig", "RequestMappingTemplate", "RequestMappingTemplateS3Location",
      "ResponseMappingTemplate", "ResponseMappingTemplateS3Location", "Runtime", "SyncConfig", "TypeName"
    ],
    attributes: ["FieldName", "ResolverArn", "TypeName"]
  },
  "AWS::KMS::Key": {
    required: [],
    allowed: [
      "BypassPolicyLockoutSafetyCheck", "Description", "EnableKeyRotation", "Enabled", "KeyPolicy", "KeySpec",
      "KeyUsage", "MultiRegion", "Origin", "PendingWindowInDays", "RotationPeriodInDays", "Tags"
    ],
    attributes: ["Arn", "KeyId"]
  },
  "AWS::KMS::Alias": {
    required: ["AliasName", "TargetKeyId"],
    allowed: ["AliasName", "TargetKeyId"],
    attributes: []
  },
  "AWS::IoT::TopicRule": {
    required: ["TopicRulePayload"],
    allowed: ["RuleName", "Tags", "TopicRulePayload"],
    attributes: ["Arn"]
  },
  "AWS::Lambda::Permission": {
    required: ["Action", "FunctionName", "Principal"],
    allowed: [
      "Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "Principal", "PrincipalOrgID",
      "SourceAccount", "SourceArn"
    ],
    attributes: []
  }
}

/** Properties SAM's Globals.Function may set (those of AWS::Serverless::Function that are global). */
const GLOBAL_FUNCTION_PROPERTIES = new Set([
  "Architectures", "AssumeRolePolicyDocument", "AutoPublishAlias", "AutoPublishCodeSha256", "CodeUri",
  "DeadLetterQueue", "DeploymentPreference", "Description", "Environment", "EphemeralStorage", "EventInvokeConfig",
  "FileSystemConfigs", "FunctionUrlConfig", "Handler", "KmsKeyArn", "Layers", "LoggingConfig", "MemorySize",
  "PermissionsBoundary", "PropagateTags", "ProvisionedConcurrencyConfig", "RecursiveLoop",
  "ReservedConcurrentExecutions", "Runtime", "RuntimeManagementConfig", "SnapStart", "Tags", "Timeout", "Tracing",
  "VpcConfig"
])

const LAMBDA_RUNTIMES = new Set(["nodejs20.x", "nodejs22.x", "nodejs24.x"])

/** SAM event types and the properties each requires. */
const EVENT_TYPES: Readonly<Record<string, ReadonlyArray<string>>> = {
  Api: ["Path", "Method"],
  HttpApi: [],
  Schedule: ["Schedule"],
  ScheduleV2: ["ScheduleExpression"],
  IoTRule: ["Sql"]
}

const INTRINSICS = new Set([
  "Ref",
  "Condition",
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::FindInMap",
  "Fn::GetAtt",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::Sub",
  "Fn::Transform",
  "Fn::If",
  "Fn::Equals",
  "Fn::Not",
  "Fn::And",
  "Fn::Or",
  "Fn::Length",
  "Fn::ToJsonString"
])

/** The names `${…}` of a Sub string refers to (not `${!Literal}`). */
export const subVariables = (text: string): ReadonlyArray<string> =>
  [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!).filter((name) => !name.startsWith("!"))

/** The value of an Fn::If in both its branches, or the value itself. */
export const branches = (value: Json): ReadonlyArray<Json> =>
  isObject(value) && Array.isArray(value["Fn::If"]) && value["Fn::If"].length === 3
    ? [...branches(value["Fn::If"][1]), ...branches(value["Fn::If"][2])]
    : [value]

export const validateTemplate = (template: JsonObject): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const problem = (where: string, message: string): void => {
    problems.push(`${where}: ${message}`)
  }

  for (const section of Object.keys(template)) if (!SECTIONS.has(section)) problem(section, "is not a template section")
  if (template["AWSTemplateFormatVersion"] !== "2010-09-09") problem("AWSTemplateFormatVersion", "must be \"2010-09-09\"")
  const transforms = Array.isArray(template["Transform"]) ? template["Transform"] : [template["Transform"]]
  if (!transforms.includes("AWS::Serverless-2016-10-31")) problem("Transform", "has no AWS::Serverless-2016-10-31")
  const language = transforms.indexOf("AWS::LanguageExtensions")
  if (language > transforms.indexOf("AWS::Serverless-2016-10-31")) problem("Transform", "AWS::LanguageExtensions must come before the SAM transform")

  const parameters = isObject(template["Parameters"]) ? template["Parameters"] : {}
  const conditions = isObject(template["Conditions"]) ? template["Conditions"] : {}
  const resources = isObject(template["Resources"]) ? template["Resources"] : {}
  if (Object.keys(resources).length === 0) problem("Resources", "is empty")
  const typeOf = (id: string): string | undefined => {
    const resource = resources[id]
    return isObject(resource) && typeof resource["Type"] === "string" ? resource["Type"] : undefined
  }
  const isLogicalId = (id: string) => /^[A-Za-z0-9]+$/.test(id)

  // ---- parameters
  for (const [name, parameter] of Object.entries(parameters)) {
    const where = `Parameters.${name}`
    if (!isLogicalId(name)) problem(where, "a logical id is alphanumeric")
    if (!isObject(parameter)) {
      problem(where, "is not a mapping")
      continue
    }
    if (typeof parameter["Type"] !== "string" || !PARAMETER_TYPES.has(parameter["Type"])) problem(where, `unknown Type ${String(parameter["Type"])}`)
    const fallback = parameter["Default"]
    if (fallback !== undefined) {
      const allowed = parameter["AllowedValues"]
      if (Array.isArray(allowed) && !allowed.map(String).includes(String(fallback))) problem(where, "Default is not one of AllowedValues")
      const pattern = parameter["AllowedPattern"]
      if (typeof pattern === "string" && !new RegExp(`^(?:${pattern})$`).test(String(fallback))) problem(where, "Default does not match AllowedPattern")
    }
  }

  // ---- intrinsic functions, everywhere
  const checkRef = (where: string, name: Json) => {
    if (typeof name !== "string") return problem(where, "Ref takes a name")
    if (!PSEUDO_PARAMETERS.has(name) && !(name in parameters) && !(name in resources)) problem(where, `Ref ${name} names nothing`)
  }
  const checkAttribute = (where: string, resource: string, attribute: string) => {
    const type = typeOf(resource)
    if (type === undefined) return problem(where, `GetAtt ${resource}.${attribute}: no resource ${resource}`)
    const known = resourceTypes[type]
    if (known !== undefined && !known.attributes.includes(attribute)) problem(where, `GetAtt ${resource}.${attribute}: ${type} has no attribute ${attribute}`)
  }
  const checkCondition = (where: string, name: Json) => {
    if (typeof name !== "string" || !(name in conditions)) problem(where, `condition ${String(name)} is not defined`)
  }
  const walk = (value: Json, where: string, localNames: ReadonlySet<string> = new Set()): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, `${where}[${index}]`, localNames))
    if (!isObject(value)) return
    const keys = Object.keys(value)
    const intrinsic = keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::")) ? keys[0]! : undefined
    if (intrinsic === undefined) {
      for (const [key, child] of Object.entries(value)) walk(child, `${where}.${key}`, localNames)
      return
    }
    const argument = value[intrinsic]
    if (!INTRINSICS.has(intrinsic)) return problem(where, `unknown intrinsic function ${intrinsic}`)
    switch (intrinsic) {
      case "Ref":
        return checkRef(where, argument)
      case "Fn::GetAtt": {
        if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== "string" || typeof argument[1] !== "string") {
          return problem(where, "Fn::GetAtt takes [resource, attribute]")
        }
        return checkAttribute(where, argument[0], argument[1])
      }
      case "Fn::Sub": {
        const [text, names] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, {}]
        if (typeof text !== "string" || !isObject(names)) return problem(where, "Fn::Sub takes a string or [string, mapping]")
        for (const variable of subVariables(text)) {
          if (variable in names) continue
          const dot = variable.indexOf(".")
          if (dot < 0) checkRef(where, variable)
          else checkAttribute(where, variable.slice(0, dot), variable.slice(dot + 1))
        }
        return walk(names, `${where}.Fn::Sub`, localNames)
      }
      case "Fn::If": {
        if (!Array.isArray(argument) || argument.length !== 3) return problem(where, "Fn::If takes [condition, then, else]")
        checkCondition(where, argument[0])
        return walk(argument.slice(1), `${where}.Fn::If`, localNames)
      }
      case "Fn::Equals":
        if (!Array.isArray(argument) || argument.length !== 2) return problem(where, "Fn::Equals takes two values")
        return walk(argument, `${where}.Fn::Equals`, localNames)
      case "Fn::Not":
        if (!Array.isArray(argument) || argument.length !== 1) return problem(where, "Fn::Not takes one condition")
        return walk(argument, `${where}.Fn::Not`, localNames)
      case "Fn::And":
      case "Fn::Or":
        if (!Array.isArray(argument) || argument.length < 2 || argument.length > 10) return problem(where, `${intrinsic} takes 2 to 10 conditions`)
        return walk(argument, `${where}.${intrinsic}`, localNames)
      case "Fn::Join":
        if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== "string") return problem(where, "Fn::Join takes [delimiter, list]")
        return walk(argument[1], `${where}.Fn::Join`, localNames)
      case "Fn::Split":
        if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== "string") return problem(where, "Fn::Split takes [delimiter, string]")
        return walk(argument[1], `${where}.Fn::Split`, localNames)
      case "Fn::Select":
        if (!Array.isArray(argument) || argument.length !== 2) return problem(where, "Fn::Select takes [index, list]")
        return walk(argument, `${where}.Fn::Select`, localNames)
      default:
        return walk(argument, `${where}.${intrinsic}`, localNames)
    }
  }
  // A `Condition: name` inside a condition expression is the Condition function, not a resource attribute.
  const walkConditionExpression = (value: Json, where: string): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => walkConditionExpression(item, `${where}[${index}]`))
    if (!isObject(value)) return
    const keys = Object.keys(value)
    if (keys.length === 1 && keys[0] === "Condition") return checkCondition(where, value["Condition"])
    if (keys.length === 1 && ["Fn::And", "Fn::Or", "Fn::Not"].includes(keys[0]!)) return walkConditionExpression(value[keys[0]!], where)
    walk(value, where)
  }

  // ---- conditions
  for (const [name, expression] of Object.entries(conditions)) {
    const where = `Conditions.${name}`
    if (!isObject(expression) || Object.keys(expression).length !== 1 || !["Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"].includes(Object.keys(expression)[0]!)) {
      problem(where, "a condition is one of Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition")
      continue
    }
    walkConditionExpression(expression, where)
  }

  // ---- globals
  const globals = isObject(template["Globals"]) ? template["Globals"] : {}
  for (const section of Object.keys(globals)) {
    if (!["Function", "Api", "HttpApi", "SimpleTable", "StateMachine", "LayerVersion", "CapacityProvider"].includes(section)) {
      problem(`Globals.${section}`, "is not a SAM Globals section")
    }
  }
  const globalFunction = isObject(globals["Function"]) ? globals["Function"] : {}
  for (const key of Object.keys(globalFunction)) {
    if (!GLOBAL_FUNCTION_PROPERTIES.has(key)) problem(`Globals.Function.${key}`, "is not a global function property")
  }
  walk(globals, "Globals")

  // ---- resources
  const routes = new Map<string, string>()
  for (const [id, resource] of Object.entries(resources)) {
    const where = `Resources.${id}`
    if (!isLogicalId(id)) problem(where, "a logical id is alphanumeric")
    if (id in parameters) problem(where, "a parameter has the same logical id")
    if (!isObject(resource)) {
      problem(where, "is not a mapping")
      continue
    }
    for (const attribute of Object.keys(resource)) if (!RESOURCE_ATTRIBUTES.has(attribute)) problem(where, `unknown resource attribute ${attribute}`)
    const type = resource["Type"]
    const known = typeof type === "string" ? resourceTypes[type] : undefined
    if (known === undefined) {
      problem(where, `unknown resource type ${String(type)}`)
      continue
    }
    const properties = resource["Properties"] ?? {}
    if (!isObject(properties)) {
      problem(where, "Properties is not a mapping")
      continue
    }
    for (const key of known.required) if (!(key in properties)) problem(where, `${type} requires ${key}`)
    for (const key of Object.keys(properties)) if (!known.allowed.includes(key)) problem(`${where}.Properties.${key}`, `${type} has no property ${key}`)
    const dependsOn = resource["DependsOn"]
    for (const dependency of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn]) {
      if (typeof dependency !== "string" || !(dependency in resources)) problem(`${where}.DependsOn`, `${String(dependency)} is not a resource`)
    }
    if (resource["Condition"] !== undefined) checkCondition(`${where}.Condition`, resource["Condition"])
    for (const policy of ["DeletionPolicy", "UpdateReplacePolicy"]) {
      const value = resource[policy]
      if (value !== undefined && !["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"].includes(value as string)) problem(`${where}.${policy}`, `unknown policy ${String(value)}`)
    }
    walk(properties, `${where}.Properties`)

    if (type === "AWS::Serverless::Function") {
      const effective = { ...globalFunction, ...properties }
      if (typeof properties["Description"] === "string" && properties["Description"].length > 256) problem(`${where}.Description`, "a function description is at most 256 characters")
      for (const key of ["Handler", "Runtime"]) if (!(key in effective)) problem(where, `a zip function needs ${key} (here or in Globals)`)
      if (!("CodeUri" in effective) && !("InlineCode" in effective)) problem(where, "a zip function needs CodeUri or InlineCode")
      if (typeof effective["Runtime"] === "string" && !LAMBDA_RUNTIMES.has(effective["Runtime"])) problem(where, `unknown runtime ${effective["Runtime"]}`)
      if (typeof effective["Handler"] === "string" && !/^[^.]+\.[A-Za-z_$][\w$]*$/.test(effective["Handler"])) problem(where, `Handler ${effective["Handler"]} is not <file>.<export>`)
      const events = isObject(properties["Events"]) ? properties["Events"] : {}
      for (const [name, event] of Object.entries(events)) {
        const at = `${where}.Events.${name}`
        if (!isLogicalId(name)) problem(at, "an event name is alphanumeric")
        if (!isObject(event) || typeof event["Type"] !== "string" || !(event["Type"] in EVENT_TYPES)) {
          problem(at, `unknown event type ${isObject(event) ? String(event["Type"]) : ""}`)
          continue
        }
        const eventProperties = isObject(event["Properties"]) ? event["Properties"] : {}
        for (const key of EVENT_TYPES[event["Type"]]!) if (!(key in eventProperties)) problem(at, `a ${event["Type"]} event needs ${key}`)
        if (event["Type"] === "Api" || event["Type"] === "HttpApi") {
          const apiType = event["Type"] === "Api" ? "AWS::Serverless::Api" : "AWS::Serverless::HttpApi"
          const apiRef = eventProperties[event["Type"] === "Api" ? "RestApiId" : "ApiId"]
          const apiId = isObject(apiRef) && typeof apiRef["Ref"] === "string" ? apiRef["Ref"] : undefined
          if (apiId === undefined || typeOf(apiId) !== apiType) {
            problem(at, `references no ${apiType} of this template`)
            continue
          }
          // An HttpApi event without Path and Method is the API's $default route.
          const isDefaultRoute = event["Type"] === "HttpApi" && eventProperties["Path"] === undefined && eventProperties["Method"] === undefined
          const path = isDefaultRoute ? "$default" : eventProperties["Path"]
          const method = isDefaultRoute ? "any" : eventProperties["Method"]
          if (typeof path !== "string" || (!isDefaultRoute && !/^\/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})(\/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))*$/.test(path))) {
            problem(at, `Path ${String(path)} is not an API path`)
          }
          if (typeof method !== "string" || !["get", "post", "put", "patch", "delete", "head", "options", "any"].includes(method)) {
            problem(at, `Method ${String(method)} is not an HTTP method in lower case`)
          }
          const route = `${apiId} ${String(method).toUpperCase()} ${String(path)}`
          if (routes.has(route)) problem(at, `routes ${route} again (also ${routes.get(route)})`)
          routes.set(route, at)
          const api = resources[apiId] as JsonObject
          const apiAuth = isObject(api["Properties"]) && isObject((api["Properties"] as JsonObject)["Auth"]) ? (api["Properties"] as JsonObject)["Auth"] as JsonObject : {}
          const authorizers = isObject(apiAuth["Authorizers"]) ? Object.keys(apiAuth["Authorizers"]) : []
          const auth = isObject(eventProperties["Auth"]) ? eventProperties["Auth"] : {}
          for (const authorizer of auth["Authorizer"] === undefined ? [] : branches(auth["Authorizer"])) {
            if (typeof authorizer !== "string" || !(authorizer === "NONE" || authorizer === "AWS_IAM" || authorizers.includes(authorizer))) {
              problem(at, `authorizer ${JSON.stringify(authorizer)} is not one ${apiId} defines`)
            }
          }
        }
        if (event["Type"] === "Schedule" && !/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(String(eventProperties["Schedule"]))) {
          problem(at, `Schedule ${String(eventProperties["Schedule"])} is not rate(…) or cron(…)`)
        }
      }
    }
    if (type === "AWS::DynamoDB::Table") {
      const defined = new Set(
        (Array.isArray(properties["AttributeDefinitions"]) ? properties["AttributeDefinitions"] : []).map((d) => (isObject(d) ? d["AttributeName"] : undefined))
      )
      const keyAttributes = [properties["KeySchema"], ...(Array.isArray(properties["GlobalSecondaryIndexes"]) ? properties["GlobalSecondaryIndexes"].map((i) => (isObject(i) ? i["KeySchema"] : undefined)) : [])]
        .flatMap((schema) => (Array.isArray(schema) ? schema : []))
        .map((element) => (isObject(element) ? element["AttributeName"] : undefined))
      for (const attribute of keyAttributes) if (!defined.has(attribute)) problem(where, `key attribute ${String(attribute)} is not in AttributeDefinitions`)
      for (const attribute of defined) if (!keyAttributes.includes(attribute)) problem(where, `AttributeDefinitions has ${String(attribute)}, which no key uses`)
    }
    if (type === "AWS::IAM::Role") {
      const description = properties["Description"]
      if (typeof description === "string" && (description.length > 1000 || !/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/.test(description))) {
        problem(`${where}.Description`, "an IAM role description is at most 1000 Latin-1 characters")
      }
      checkPolicyDocument(`${where}.AssumeRolePolicyDocument`, properties["AssumeRolePolicyDocument"], problem)
      const policies = Array.isArray(properties["Policies"]) ? properties["Policies"] : []
      for (const [index, policy] of policies.entries()) {
        if (!isObject(policy) || typeof policy["PolicyName"] !== "string") problem(`${where}.Policies[${index}]`, "needs PolicyName")
        else checkPolicyDocument(`${where}.Policies[${index}]`, policy["PolicyDocument"], problem)
      }
    }
    if (type === "AWS::KMS::Key" && properties["KeyPolicy"] !== undefined) checkPolicyDocument(`${where}.KeyPolicy`, properties["KeyPolicy"], problem)
  }

  // ---- outputs
  const outputs = isObject(template["Outputs"]) ? template["Outputs"] : {}
  for (const [name, output] of Object.entries(outputs)) {
    if (!isObject(output) || output["Value"] === undefined) problem(`Outputs.${name}`, "needs a Value")
    walk(output, `Outputs.${name}`)
  }
  return problems
}

const checkPolicyDocument = (where: string, document: Json, problem: (where: string, message: string) => void) => {
  if (!isObject(document)) return problem(where, "is not a policy document")
  if (document["Version"] !== "2012-10-17") problem(where, "Version must be \"2012-10-17\"")
  const statements = Array.isArray(document["Statement"]) ? document["Statement"] : []
  if (statements.length === 0) problem(where, "has no Statement")
  for (const [index, statement] of statements.entries()) {
    const at = `${where}.Statement[${index}]`
    if (!isObject(statement)) {
      problem(at, "is not a mapping")
      continue
    }
    if (statement["Effect"] !== "Allow" && statement["Effect"] !== "Deny") problem(at, "Effect must be Allow or Deny")
    if (statement["Sid"] !== undefined && !/^[A-Za-z0-9]+$/.test(String(statement["Sid"]))) problem(at, "a Sid is alphanumeric")
    const actions = Array.isArray(statement["Action"]) ? statement["Action"] : [statement["Action"]]
    for (const action of actions) {
      if (typeof action !== "string" || !/^([a-z0-9-]+:[A-Za-z0-9*]+|\*)$/.test(action)) problem(at, `Action ${String(action)} is not service:Action`)
    }
    if (statement["Resource"] === undefined && statement["Principal"] === undefined) problem(at, "needs Resource (or Principal, in a trust policy)")
  }
}
