/**
 * The routes each HTTP function serves, one function per group (FunctionGroups has them as the
 * table everyone reads): a route module of the contract each, and health also serves the OpenAPI
 * document. Functions, not constants: an entry calls its own group's and bundles only
 * the routes (and the use cases) it names. A constant list of every group here would keep them all
 * in every bundle — reading a route off a namespace the contract re-exports (`AuthRoutes.signup`)
 * is, to esbuild, a property read that may run code, so it never drops one made at import.
 */
import { AuthRoutes, ChatRoutes, HealthRoutes, openApi, PlatformRoutes, QrRoutes, SensorRoutes, TeamRoutes, UserRoutes } from "@app/api"

export const auth = () => AuthRoutes.all()

export const users = () => UserRoutes.all()

export const teams = () => TeamRoutes.all()

export const platforms = () => PlatformRoutes.all()

export const chat = () => ChatRoutes.all()

export const qr = () => QrRoutes.all()

export const sensors = () => SensorRoutes.all()

export const health = () => [...HealthRoutes.all(), openApi] as const
