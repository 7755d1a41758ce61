/** Renders the whole app at a path, signed in as one test user. */
import { makeTestSessionManager, renderApp } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"
import type { TestUser } from "./TeamFixtures"

export const renderAs = (testApi: TestApi, user: TestUser, path: string) => {
  const manager = makeTestSessionManager(testApi)
  manager.signIn({ accessToken: user.accessToken, refreshToken: user.refreshToken })
  return { manager, ...renderApp(path, manager) }
}
