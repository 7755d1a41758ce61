/**
 * What each Lambda function may touch: the DynamoDB tables (read, or read and write) and whether
 * it uses the credentials KMS key. The template generator turns this into one IAM role per
 * function; the template test checks the roles against it, and runs the contract's scenarios
 * against DynamoDB Local with one client per function (as deployed) to check that no route of a
 * function sends a request its role would refuse.
 *
 * Derived from the use cases each function's routes or events run, and the adapters behind their
 * ports (packages/adapters-aws/src/dynamodb/*Dynamo.ts):
 *   UserRepository users · RefreshTokenStore refreshFamilies, refreshTokens · TeamRepository teams,
 *   invitations · PlatformConfigRepository platformConfigs · CredentialRepository
 *   platformCredentials · CampaignRepository campaigns · SyncLock syncLocks · ChatRepository
 *   chatRooms, chatMessages · QrChallengeStore qrChallenges · DeviceRepository devices ·
 *   ReadingRepository sensorReadings · LatestReadingCache latestReadings · RateLimiter rateLimits.
 * Every function behind a bearer route may create its caller's user: with a Cognito authorizer
 * the first request of a new Cognito `sub` provisions the user (Auth.provisionExternal), in
 * whichever function it lands.
 */
import type { Tables } from "@app/adapters-aws"

export type TableAccess = "read" | "readWrite"

export interface FunctionAccess {
  readonly tables: Readonly<Partial<Record<Tables.TableKey, TableAccess>>>
  /** GenerateDataKey and Decrypt on the credentials key, for the credentials' encryption context only. */
  readonly credentialsKey: boolean
  /** DescribeTimeToLive on every table Tables.ts gives a TTL attribute (nothing on their items). */
  readonly ttlStatus: boolean
  /** Which use cases need these, for the reader of the template. */
  readonly why: string
}

export const functionAccess = {
  auth: {
    tables: { users: "readWrite", refreshFamilies: "readWrite", refreshTokens: "readWrite", rateLimits: "readWrite" },
    credentialsKey: false,
    ttlStatus: false,
    why: "Auth signup/login/refresh/logout (users, refresh token families and tokens); signup and login rate limits"
  },
  users: {
    tables: { users: "readWrite", teams: "read" },
    credentialsKey: false,
    ttlStatus: false,
    why: "Users me/get/update; a teammate check reads team memberships"
  },
  teams: {
    tables: { teams: "readWrite", invitations: "readWrite", users: "readWrite" },
    credentialsKey: false,
    ttlStatus: false,
    why: "Teams and invitations; members' names and invitees' emails come from users"
  },
  platforms: {
    tables: {
      users: "readWrite",
      platformConfigs: "readWrite",
      platformCredentials: "readWrite",
      campaigns: "readWrite",
      syncLocks: "readWrite"
    },
    credentialsKey: true,
    ttlStatus: false,
    why: "Platform configs; credentials encrypted under the KMS key; campaign sync (decrypts credentials, takes the sync lock)"
  },
  chat: {
    tables: { users: "readWrite", teams: "read", chatRooms: "readWrite", chatMessages: "readWrite" },
    credentialsKey: false,
    ttlStatus: false,
    why: "Chat rooms and messages; membership of the room's team"
  },
  qr: {
    tables: {
      qrChallenges: "readWrite",
      users: "readWrite",
      refreshFamilies: "readWrite",
      refreshTokens: "readWrite",
      rateLimits: "readWrite"
    },
    credentialsKey: false,
    ttlStatus: false,
    why: "QR challenges; the exchange issues a session (refresh token family); the init rate limit"
  },
  sensors: {
    tables: {
      users: "readWrite",
      teams: "read",
      devices: "readWrite",
      sensorReadings: "readWrite",
      latestReadings: "readWrite",
      rateLimits: "readWrite"
    },
    credentialsKey: false,
    ttlStatus: false,
    why: "Devices, readings and the latest-reading cache; membership of the team; the ingest rate limit"
  },
  health: {
    tables: { users: "read" },
    credentialsKey: false,
    ttlStatus: false,
    why: "Readiness probes DynamoDB with one GetItem"
  },
  chatResolver: {
    tables: { users: "readWrite", teams: "read", chatRooms: "readWrite", chatMessages: "readWrite" },
    credentialsKey: false,
    ttlStatus: false,
    why: "AppSync listMessages, sendMessage and onMessage (who may subscribe): the chat use cases, as the chat routes"
  },
  sensorIngest: {
    tables: { devices: "read", sensorReadings: "readWrite", latestReadings: "readWrite" },
    credentialsKey: false,
    ttlStatus: false,
    why: "IoT Core readings: the device, its readings and the latest-reading cache (no key check: IoT authenticated the device)"
  },
  cleanup: {
    tables: {},
    credentialsKey: false,
    ttlStatus: true,
    why: "Scheduled check that DynamoDB's TTL is on where Tables.ts expects it (TTL, not a sweep, expires items)"
  }
} as const satisfies Record<string, FunctionAccess>

export type FunctionName = keyof typeof functionAccess

/**
 * The IAM actions of each access level. No Scan (the adapters never scan), no table management.
 * TransactWriteItems has no action of its own: each of its items needs the action of its kind
 * (PutItem, UpdateItem, DeleteItem, ConditionCheckItem), as TransactGetItems needs GetItem.
 */
export const tableActions: Readonly<Record<TableAccess, ReadonlyArray<string>>> = {
  read: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
  readWrite: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem"
  ]
}

/** A global secondary index can only be queried. */
export const indexActions: ReadonlyArray<string> = ["dynamodb:Query"]

/** Reading a table's TTL setting (the cleanup function's check), on the tables with a TTL attribute. */
export const ttlStatusActions: ReadonlyArray<string> = ["dynamodb:DescribeTimeToLive"]

/** The credentials key's operations (KmsEnvelopeCipher: a fresh data key per secret, and its decryption). */
export const credentialsKeyActions: ReadonlyArray<string> = ["kms:GenerateDataKey", "kms:Decrypt"]
