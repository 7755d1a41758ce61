/**
 * The DynamoDB tables of the serverless deployment, defined once: tests create them from here, the
 * local-dev script creates them from here, and the SAM template is generated from here. A table's
 * physical name is `<prefix><name>` (prefix "sivera-" as in 002: "sivera-users", …), so several
 * stages or test files share one account or one emulator without colliding. Every table is
 * PAY_PER_REQUEST. Instants are stored as Numbers (epoch millis, like the domain); a TTL attribute
 * is named `ttl` (a reserved word: every expression names attributes through
 * ExpressionAttributeNames) and holds epoch SECONDS, as DynamoDB's TTL requires.
 *
 * Sentinels and guards use '#', which no id of the domain can contain (IdString allows only
 * letters, digits, '_', '.', ':', '-'), so they never collide with a real key.
 *
 * users (002)              PK userId
 *   user item             userId = <UserId>; email, name, emailVerified, profile (M), createdAt,
 *                          updatedAt, passwordHash (S or NULL), itemType "user"
 *   email guard           userId = "EMAIL#<normalised email>"; ownerId, itemType "emailGuard" —
 *                          written in the same TransactWriteItems as the user (unique email);
 *                          byEmail = GetItem guard, then GetItem user (both consistent)
 * teams (002)              PK teamId, SK userId; GSI memberUserId-index (memberUserId, teamId)
 *                          KEYS_ONLY, sparse: only memberships carry memberUserId
 *   team item             userId = "#TEAM"; name, createdAt, updatedAt, itemType "team" — no
 *                          memberUserId, so no team is in the index (keyed on userId, every team
 *                          would share its one "#TEAM" partition) and a rename never writes it
 *   membership            userId = memberUserId = <UserId>; role, invitedBy, joinedAt, itemType
 *                          "membership"; members = Query teamId AND userId > "#TEAM" ('#' sorts
 *                          below every id character, so the team item comes first); teamsOf =
 *                          Query memberUserId-index for the team ids, then BatchGetItem of the
 *                          "#TEAM" items and the memberships (consistent) — keys only in the
 *                          index, so role changes never write it either; role rules = conditions
 *                          on role
 * invitations              PK invitationId; GSI email-index (email, expiresAt) ALL,
 *                          GSI teamId-index (teamId, invitationId) KEYS_ONLY
 *   invitation            invitationId, teamId, email, role, invitedBy, status, createdAt, expiresAt;
 *                          pendingInvitationsFor = Query email-index email = :e AND expiresAt > :now,
 *                          filter status = pending
 *   pending guard         invitationId = "PENDING#<teamId>#<email>"; teamId, pendingInvitationId,
 *                          pendingExpiresAt — no `email` attribute, so it stays out of email-index;
 *                          one per (team, email): addInvitation puts it in the same transaction as
 *                          the invitation, conditioned on absent / expired / answered
 * platform-configs (002)   PK userPlatform = "<userId>#<platform>"; one item: configs (M configId →
 *                          {name, settings, version, createdAt, updatedAt}), currentConfigId;
 *                          version checks are conditions on #configs.#id.#version
 * platform-credentials     PK userPlatform, SK accountId; secret (encrypted envelope), status,
 *   (002)                  createdAt, updatedAt, lastSyncAt
 * campaigns (002)          PK userPlatformAccount = "<userId>#<platform>#<accountId>", SK campaignId;
 *                          GSI userPlatform-index (userPlatform, accountCampaign =
 *                          "<accountId>#<campaignId>") ALL: a user's campaigns on a platform in
 *                          (accountId, campaignId) order ('#' sorts below every id character)
 * chat-rooms               PK roomId; GSI teamId-index (teamId, roomId) INCLUDE name, createdAt —
 *                          not lastSeq, so an append's counter update never writes the index
 *   room                  roomId, teamId, name, createdAt, lastSeq (N, the sequence counter)
 *   message key guard     roomId = "MSGKEY#<roomId>#<senderId>#<clientMessageId>"; seq, messageId — the
 *                          idempotency key of append; no teamId, so it stays out of the index
 * chat-messages            PK roomId, SK seq (N); messageId, senderId, body, clientMessageId, sentAt;
 *                          pages and catch-up are Query with seq BETWEEN, forward or backward
 * qr-challenges            PK challengeId; the challenge's fields; ttl = expiresAt + 10 min
 * refresh-families         PK familyId; userId, createdAt, revokedAt (absent while alive), ttl
 *                          (its newest token's)
 * refresh-tokens           PK tokenHash; familyId, userId, issuedAt, expiresAt, rotatedAt,
 *                          childHash (both absent while current), ttl = max(expiresAt, written) +
 *                          1 day; rotate = TransactWriteItems (Update family's ttl if unrevoked,
 *                          Update parent if unrotated and as the caller read it, Put child if new)
 * devices                  PK deviceId; GSI teamId-index (teamId, deviceId) INCLUDE name, createdAt
 *                          — the ingest key digest is never projected into the index
 * sensor-readings          PK deviceId, SK ts (N, measured epoch millis); temperature, humidity,
 *                          co2, pm25, x, y; insert = conditional Put per reading; range and buckets
 *                          = Query ts BETWEEN; latest = Query backward, Limit 1
 * latest-readings          PK deviceId; the latest reading's fields; offer = Put conditioned on
 *                          attribute_not_exists(deviceId) OR ts < :ts
 * sync-locks               PK lockKey; token, expiresAt, ttl; acquire = Put conditioned on
 *                          attribute_not_exists(lockKey) OR expiresAt <= :now
 * rate-limits              PK limitKey; hits (L of N), version, ttl; consume = conditional Put on
 *                          the version read
 */
import type {
  AttributeDefinition,
  CreateTableInput,
  GlobalSecondaryIndex,
  KeySchemaElement
} from "@aws-sdk/client-dynamodb"

export interface KeyAttribute {
  readonly name: string
  readonly type: "S" | "N"
}

export type Projection =
  | { readonly type: "ALL" }
  | { readonly type: "KEYS_ONLY" }
  | { readonly type: "INCLUDE"; readonly attributes: ReadonlyArray<string> }

export interface IndexDefinition {
  readonly indexName: string
  readonly partitionKey: KeyAttribute
  readonly sortKey?: KeyAttribute
  readonly projection: Projection
}

export interface TableDefinition {
  /** The physical name without the prefix. */
  readonly name: string
  readonly partitionKey: KeyAttribute
  readonly sortKey?: KeyAttribute
  readonly indexes: ReadonlyArray<IndexDefinition>
  /** Attribute holding the expiry in epoch seconds, enabled as the table's TTL. */
  readonly ttlAttribute?: string
}

const S = (name: string): KeyAttribute => ({ name, type: "S" })
const N = (name: string): KeyAttribute => ({ name, type: "N" })
const ALL: Projection = { type: "ALL" }

/** The attribute every TTL-enabled table keeps its expiry in (epoch seconds). */
export const TTL_ATTRIBUTE = "ttl"

/** Sort key of the team item in the teams table (a membership's sort key is a UserId). */
export const TEAM_ITEM_SORT_KEY = "#TEAM"

export const definitions = {
  users: { name: "users", partitionKey: S("userId"), indexes: [] },
  teams: {
    name: "teams",
    partitionKey: S("teamId"),
    sortKey: S("userId"),
    indexes: [{
      indexName: "memberUserId-index",
      partitionKey: S("memberUserId"),
      sortKey: S("teamId"),
      projection: { type: "KEYS_ONLY" }
    }]
  },
  invitations: {
    name: "invitations",
    partitionKey: S("invitationId"),
    indexes: [
      { indexName: "email-index", partitionKey: S("email"), sortKey: N("expiresAt"), projection: ALL },
      { indexName: "teamId-index", partitionKey: S("teamId"), sortKey: S("invitationId"), projection: { type: "KEYS_ONLY" } }
    ]
  },
  platformConfigs: { name: "platform-configs", partitionKey: S("userPlatform"), indexes: [] },
  platformCredentials: {
    name: "platform-credentials",
    partitionKey: S("userPlatform"),
    sortKey: S("accountId"),
    indexes: []
  },
  campaigns: {
    name: "campaigns",
    partitionKey: S("userPlatformAccount"),
    sortKey: S("campaignId"),
    indexes: [
      { indexName: "userPlatform-index", partitionKey: S("userPlatform"), sortKey: S("accountCampaign"), projection: ALL }
    ]
  },
  chatRooms: {
    name: "chat-rooms",
    partitionKey: S("roomId"),
    indexes: [{
      indexName: "teamId-index",
      partitionKey: S("teamId"),
      sortKey: S("roomId"),
      projection: { type: "INCLUDE", attributes: ["name", "createdAt"] }
    }]
  },
  chatMessages: { name: "chat-messages", partitionKey: S("roomId"), sortKey: N("seq"), indexes: [] },
  qrChallenges: { name: "qr-challenges", partitionKey: S("challengeId"), indexes: [], ttlAttribute: TTL_ATTRIBUTE },
  refreshFamilies: { name: "refresh-families", partitionKey: S("familyId"), indexes: [], ttlAttribute: TTL_ATTRIBUTE },
  refreshTokens: { name: "refresh-tokens", partitionKey: S("tokenHash"), indexes: [], ttlAttribute: TTL_ATTRIBUTE },
  devices: {
    name: "devices",
    partitionKey: S("deviceId"),
    indexes: [{
      indexName: "teamId-index",
      partitionKey: S("teamId"),
      sortKey: S("deviceId"),
      projection: { type: "INCLUDE", attributes: ["name", "createdAt"] }
    }]
  },
  sensorReadings: { name: "sensor-readings", partitionKey: S("deviceId"), sortKey: N("ts"), indexes: [] },
  latestReadings: { name: "latest-readings", partitionKey: S("deviceId"), indexes: [] },
  syncLocks: { name: "sync-locks", partitionKey: S("lockKey"), indexes: [], ttlAttribute: TTL_ATTRIBUTE },
  rateLimits: { name: "rate-limits", partitionKey: S("limitKey"), indexes: [], ttlAttribute: TTL_ATTRIBUTE }
} as const satisfies Record<string, TableDefinition>

/** A logical table: the key of its definition ("users", "chatMessages", …). */
export type TableKey = keyof typeof definitions

/** The GSI names of a table, for typed queries. */
export type IndexName<T extends TableKey> = (typeof definitions)[T]["indexes"][number]["indexName"]

export const tableKeys: ReadonlyArray<TableKey> = Object.keys(definitions) as Array<TableKey>

export const definition = (table: TableKey): TableDefinition => definitions[table]

export const physicalName = (prefix: string, table: TableKey): string => `${prefix}${definitions[table].name}`

/** The index of a table by name; undefined when the table has no such index. */
export const indexOf = (table: TableKey, indexName: string): IndexDefinition | undefined =>
  definition(table).indexes.find((index) => index.indexName === indexName)

/** The attributes that make up a table's primary key. */
export const keyAttributes = (table: TableKey): ReadonlyArray<KeyAttribute> => {
  const { partitionKey, sortKey } = definition(table)
  return sortKey === undefined ? [partitionKey] : [partitionKey, sortKey]
}

/** Every key attribute of the table and of its indexes (each must be a non-empty S or a finite N). */
export const allKeyAttributes = (table: TableKey): ReadonlyArray<KeyAttribute> => {
  const seen = new Map<string, KeyAttribute>()
  for (const attribute of keyAttributes(table)) seen.set(attribute.name, attribute)
  for (const index of definition(table).indexes) {
    seen.set(index.partitionKey.name, index.partitionKey)
    if (index.sortKey !== undefined) seen.set(index.sortKey.name, index.sortKey)
  }
  return Array.from(seen.values())
}

const keySchema = (partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): Array<KeySchemaElement> => [
  { AttributeName: partitionKey.name, KeyType: "HASH" },
  ...(sortKey === undefined ? [] : [{ AttributeName: sortKey.name, KeyType: "RANGE" as const }])
]

const projection = (p: Projection): GlobalSecondaryIndex["Projection"] =>
  p.type === "INCLUDE" ? { ProjectionType: "INCLUDE", NonKeyAttributes: [...p.attributes] } : { ProjectionType: p.type }

/** The CreateTable request of one table under `prefix` (TTL is a separate UpdateTimeToLive call). */
export const createTableInput = (prefix: string, table: TableKey): CreateTableInput => {
  const def = definition(table)
  const attributes: Array<AttributeDefinition> = allKeyAttributes(table).map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type
  }))
  return {
    TableName: physicalName(prefix, table),
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributes,
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(def.indexes.length === 0 ? {} : {
      GlobalSecondaryIndexes: def.indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: projection(index.projection)
      }))
    })
  }
}

export const createTableInputs = (prefix: string): ReadonlyArray<CreateTableInput> =>
  tableKeys.map((table) => createTableInput(prefix, table))

/**
 * The `Properties` of an `AWS::DynamoDB::Table` resource (SAM / CloudFormation) for one table,
 * named `tableName` (a string or an intrinsic such as `{ "Fn::Sub": "${Stage}-users" }`).
 */
export const cloudFormationProperties = (table: TableKey, tableName: unknown): Record<string, unknown> => {
  const { TableName: _, ...input } = createTableInput("", table)
  const ttl = definition(table).ttlAttribute
  return {
    TableName: tableName,
    ...input,
    ...(ttl === undefined ? {} : { TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } })
  }
}
