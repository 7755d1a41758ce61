/**
 * Users and teams made through the real contract (in process) for the Teams and Chat tests:
 * sign-ups, and team set-ups done as another user with that user's token, while the rendered app
 * is signed in as the user under test.
 */
import type { SessionManager } from "../../src/session/SessionManager"
import { makeTestSessionManager } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"

export interface TestUser {
  readonly userId: string
  readonly email: string
  readonly name: string
  readonly accessToken: string
  readonly refreshToken: string
  /** Calls the API as this user. */
  readonly call: SessionManager["client"]["call"]
}

export const TEST_PASSWORD = "Str0ngpassword"

export const signUp = async (testApi: TestApi, name: string): Promise<TestUser> => {
  const client = makeTestSessionManager(testApi).publicClient
  const email = `${name.toLowerCase()}@example.com`
  const answer = await client.call("auth.signup", { body: { email, name, password: TEST_PASSWORD } })
  const call = ((route: string, input: Record<string, unknown> = {}) =>
    (client.call as (r: string, i: unknown) => Promise<unknown>)(route, { ...input, accessToken: answer.accessToken })) as TestUser["call"]
  return { userId: answer.user.userId, email, name, accessToken: answer.accessToken, refreshToken: answer.refreshToken, call }
}

/** A team owned by `owner` with the others joined in the given roles (invited and accepted). */
export const teamWith = async (
  owner: TestUser,
  name: string,
  others: ReadonlyArray<{ readonly user: TestUser; readonly role: "admin" | "member" }> = []
): Promise<string> => {
  const team = await owner.call("teams.create", { body: { name } })
  for (const { role, user } of others) {
    const invitation = await owner.call("teams.invite", { params: { teamId: team.teamId }, body: { email: user.email, role } })
    await user.call("teams.accept", { params: { invitationId: invitation.invitationId } })
  }
  return team.teamId
}
