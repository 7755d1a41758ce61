/**
 * The table definitions are the single source of the schema: every table they describe can be
 * created on DynamoDB Local as described (keys, GSIs and their projections, TTL), its indexes
 * answer queries, the SAM properties carry the same schema, and the client's configuration comes
 * from the environment as documented. Also the expression rules every request goes through.
 */
import { assert, layer } from "@effect/vitest"
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb"
import { ConfigProvider, Effect, Layer, Result } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as Expression from "../../src/dynamodb/Expression.js"
import * as Tables from "../../src/dynamodb/Tables.js"
import * as DynamoTest from "../support/DynamoTest.js"

const dynamo = DynamoTest.make({ ttl: true })

layer(dynamo.layer, { excludeTestServices: true })("Tables", (it) => {
  it.effect("every defined table exists as defined, with its TTL enabled", () =>
    Effect.gen(function*() {
      const client = yield* DynamoClient
      for (const table of Tables.tableKeys) {
        const expected = Tables.createTableInput(client.tablePrefix, table)
        const { Table } = yield* Effect.promise(() => client.raw.send(new DescribeTableCommand({ TableName: expected.TableName })))
        assert.strictEqual(Table?.TableStatus, "ACTIVE", table)
        assert.deepStrictEqual(Table?.KeySchema, expected.KeySchema, table)
        assert.deepStrictEqual(
          new Set(Table?.AttributeDefinitions?.map((a) => `${a.AttributeName}:${a.AttributeType}`)),
          new Set(expected.AttributeDefinitions?.map((a) => `${a.AttributeName}:${a.AttributeType}`)),
          table
        )
        const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({
          IndexName: i.IndexName,
          KeySchema: i.KeySchema,
          Projection: i.Projection
        }))
        assert.deepStrictEqual(
          indexes.sort((a, b) => (a.IndexName! < b.IndexName! ? -1 : 1)),
          [...(expected.GlobalSecondaryIndexes ?? [])].sort((a, b) => (a.IndexName! < b.IndexName! ? -1 : 1)),
          table
        )
        const ttl = yield* Effect.promise(() => client.raw.send(new DescribeTimeToLiveCommand({ TableName: expected.TableName })))
        const attribute = Tables.definition(table).ttlAttribute
        if (attribute === undefined) {
          assert.notStrictEqual(ttl.TimeToLiveDescription?.TimeToLiveStatus, "ENABLED", table)
        } else {
          assert.strictEqual(ttl.TimeToLiveDescription?.TimeToLiveStatus, "ENABLED", table)
          assert.strictEqual(ttl.TimeToLiveDescription?.AttributeName, attribute, table)
        }
      }
    }))

  it.effect("a GSI answers queries by its own keys (teams by the sparse memberUserId-index)", () =>
    Effect.gen(function*() {
      const client = yield* DynamoClient
      yield* client.batchWrite("teams", {
        puts: [
          { teamId: "team-b", userId: "ada", memberUserId: "ada", role: "member" },
          { teamId: "team-a", userId: "ada", memberUserId: "ada", role: "owner" },
          { teamId: "team-a", userId: "bob", memberUserId: "bob", role: "member" },
          { teamId: "team-a", userId: Tables.TEAM_ITEM_SORT_KEY, name: "A" }
        ]
      })
      dynamo.recorder.take()
      // KEYS_ONLY: the table's and the index's keys; the team item, without memberUserId, is not there.
      const teams = yield* client.queryAll("teams", { index: "memberUserId-index", partition: "ada" })
      assert.deepStrictEqual(teams, [
        { teamId: "team-a", userId: "ada", memberUserId: "ada" },
        { teamId: "team-b", userId: "ada", memberUserId: "ada" }
      ])
      const members = yield* client.queryAll("teams", {
        partition: "team-a",
        range: { op: ">", value: Tables.TEAM_ITEM_SORT_KEY },
        attributes: ["userId", "role"]
      })
      assert.deepStrictEqual(members, [{ userId: "ada", role: "owner" }, { userId: "bob", role: "member" }])
      const owners = yield* client.queryAll("teams", {
        partition: "team-a",
        filter: "attribute_exists(#role) AND #role = :owner",
        values: { ":owner": "owner" }
      })
      assert.deepStrictEqual(owners.map((m) => m["userId"]), ["ada"])
      assert.deepStrictEqual(dynamo.recorder.take(), ["Query", "Query", "Query"])
      const consistent = yield* client.query("teams", { index: "memberUserId-index", partition: "ada", consistent: true }).pipe(
        Effect.flip
      )
      assert.strictEqual(consistent._tag, "RequestRejected")
      const wrongIndex = yield* client.query("teams", { index: "nope" as never, partition: "ada" }).pipe(Effect.flip)
      assert.strictEqual(wrongIndex._tag, "RequestRejected")
      assert.deepStrictEqual(dynamo.recorder.take(), [])
    }))

  it.effect("sort-key ranges: between, comparisons and begins_with, forward and backward", () =>
    Effect.gen(function*() {
      const client = yield* DynamoClient
      yield* client.batchWrite("sensorReadings", {
        puts: [10, 20, 30, 40, 50].map((ts) => ({ deviceId: "d1", ts, temperature: ts / 10 }))
      })
      const ts = (items: ReadonlyArray<Record<string, unknown>>) => items.map((i) => i["ts"])
      assert.deepStrictEqual(
        ts(yield* client.queryAll("sensorReadings", { partition: "d1", range: { op: "between", low: 20, high: 40 } })),
        [20, 30, 40]
      )
      assert.deepStrictEqual(
        ts((yield* client.query("sensorReadings", { partition: "d1", forward: false, limit: 1 })).items),
        [50]
      )
      assert.deepStrictEqual(ts(yield* client.queryAll("sensorReadings", { partition: "d1", range: { op: "<", value: 30 } })), [
        10,
        20
      ])
      assert.deepStrictEqual(ts(yield* client.queryAll("sensorReadings", { partition: "d1", maxItems: 2 })), [10, 20])
      yield* client.put("invitations", { invitationId: "PENDING#t#a@b.c", teamId: "t" })
      yield* client.put("invitations", { invitationId: "inv-1", teamId: "t", email: "a@b.c", expiresAt: 5 })
      const ofTeam = yield* client.queryAll("invitations", {
        index: "teamId-index",
        partition: "t",
        range: { op: "begins_with", prefix: "PENDING#" }
      })
      assert.deepStrictEqual(ofTeam, [{ invitationId: "PENDING#t#a@b.c", teamId: "t" }])
      const byEmail = yield* client.queryAll("invitations", {
        index: "email-index",
        partition: "a@b.c",
        range: { op: ">", value: 4 }
      })
      assert.deepStrictEqual(byEmail.map((i) => i["invitationId"]), ["inv-1"])
      const badRange = yield* client.query("sensorReadings", { partition: "d1", range: { op: "=", value: "x" } }).pipe(Effect.flip)
      assert.strictEqual(badRange._tag, "RequestRejected")
    }))
})

layer(Layer.empty)("DynamoDB configuration and definitions", (it) => {
  const tableNameFrom = (env: Record<string, string>) =>
    Effect.gen(function*() {
      const client = yield* DynamoClient
      return client.tableName("users")
    }).pipe(
      Effect.provide(DynamoClient.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))
    )

  it.effect("layerConfig reads AWS_REGION, DYNAMODB_ENDPOINT and DYNAMODB_TABLE_PREFIX", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* tableNameFrom({ AWS_REGION: "ap-northeast-2" }), "sivera-users")
      assert.strictEqual(
        yield* tableNameFrom({
          AWS_REGION: "ap-northeast-2",
          DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
          DYNAMODB_TABLE_PREFIX: "dev-"
        }),
        "dev-users"
      )
      const missing = yield* tableNameFrom({}).pipe(Effect.flip)
      assert.strictEqual(missing._tag, "ConfigError")
    }))

  it.effect("the SAM properties carry the same schema and the TTL specification", () =>
    Effect.sync(() => {
      const qr = Tables.cloudFormationProperties("qrChallenges", { "Fn::Sub": "${AWS::StackName}-qr-challenges" })
      assert.deepStrictEqual(qr["TimeToLiveSpecification"], { AttributeName: "ttl", Enabled: true })
      assert.deepStrictEqual(qr["TableName"], { "Fn::Sub": "${AWS::StackName}-qr-challenges" })
      assert.strictEqual(qr["BillingMode"], "PAY_PER_REQUEST")
      const devices = Tables.cloudFormationProperties("devices", "devices")
      assert.deepStrictEqual((devices["GlobalSecondaryIndexes"] as Array<{ Projection: unknown }>)[0]!.Projection, {
        ProjectionType: "INCLUDE",
        NonKeyAttributes: ["name", "createdAt"]
      })
      assert.notProperty(Tables.cloudFormationProperties("users", "u"), "TimeToLiveSpecification")
      assert.deepStrictEqual(Tables.physicalName("sivera-", "platformConfigs"), "sivera-platform-configs")
    }))

  it.effect("expressions: names come from placeholders; bare names and stray values are refused", () =>
    Effect.sync(() => {
      const ok = Expression.resolve(
        ["SET #configs.#cfg.#version = #configs.#cfg.#version + :one, #hits = list_append(#hits, :new)", "size(#configs) < :max"],
        { "#cfg": "cfg-01.a" },
        { ":one": 1, ":new": [1], ":max": 20 }
      )
      assert.isTrue(Result.isSuccess(ok))
      if (Result.isSuccess(ok)) {
        assert.deepStrictEqual(ok.success.names, { "#configs": "configs", "#cfg": "cfg-01.a", "#version": "version", "#hits": "hits" })
      }
      const failures = [
        Expression.resolve(["attribute_exists(name)"]),
        Expression.resolve(["#a = :a"]),
        Expression.resolve(["#a = :a"], {}, { ":a": 1, ":b": 2 }),
        Expression.resolve(["#a = :a"], { "#b": "b" }, { ":a": 1 })
      ]
      for (const failure of failures) assert.isTrue(Result.isFailure(failure))
      assert.isTrue(Result.isSuccess(Expression.resolve(["attribute_not_exists(#pk) OR #expiresAt <= :now"], {}, { ":now": 1 })))
      assert.isTrue(Result.isSuccess(Expression.resolve(["#status IN (:a, :b) AND NOT contains(#tags, :a)"], {}, { ":a": 1, ":b": 2 })))
    }))
})
