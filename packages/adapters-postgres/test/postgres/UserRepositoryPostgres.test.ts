import { UserRepositoryContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as UserRepositoryPostgres from "../../src/postgres/UserRepositoryPostgres.js"
import * as PostgresTest from "../support/PostgresTest.js"

UserRepositoryContract.suite("postgres", UserRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
UserRepositoryContract.suite("pglite", UserRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))
