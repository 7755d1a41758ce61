/**
 * Migration 3: teams, memberships and invitations. The single-owner rule is also a constraint
 * (`team_memberships_one_owner`), so no interleaving of requests can leave two owners; memberships
 * and invitations go with their team (ON DELETE CASCADE). Memberships have no foreign key to users:
 * a team only knows user ids. Each read path has its index: teamsOf by `team_memberships_user_idx`,
 * pendingInvitationsFor by `team_invitations_pending_email_idx`, the invite guard by
 * `team_invitations_team_email_idx`.
 */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 3,
  name: "teams",
  sql: `
    CREATE TABLE teams (
      team_id    text COLLATE "C" NOT NULL,
      name       text NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      CONSTRAINT teams_pkey PRIMARY KEY (team_id)
    );

    CREATE TABLE team_memberships (
      team_id    text COLLATE "C" NOT NULL,
      user_id    text COLLATE "C" NOT NULL,
      role       text NOT NULL,
      invited_by text COLLATE "C",
      joined_at  bigint NOT NULL,
      CONSTRAINT team_memberships_pkey PRIMARY KEY (team_id, user_id),
      CONSTRAINT team_memberships_team_fkey FOREIGN KEY (team_id) REFERENCES teams (team_id) ON DELETE CASCADE,
      CONSTRAINT team_memberships_role_check CHECK (role IN ('owner', 'admin', 'member'))
    );
    CREATE UNIQUE INDEX team_memberships_one_owner ON team_memberships (team_id) WHERE role = 'owner';
    CREATE INDEX team_memberships_user_idx ON team_memberships (user_id, team_id);

    CREATE TABLE team_invitations (
      invitation_id text COLLATE "C" NOT NULL,
      team_id       text COLLATE "C" NOT NULL,
      email         text COLLATE "C" NOT NULL,
      role          text NOT NULL,
      invited_by    text COLLATE "C" NOT NULL,
      status        text NOT NULL,
      created_at    bigint NOT NULL,
      expires_at    bigint NOT NULL,
      CONSTRAINT team_invitations_pkey PRIMARY KEY (invitation_id),
      CONSTRAINT team_invitations_team_fkey FOREIGN KEY (team_id) REFERENCES teams (team_id) ON DELETE CASCADE,
      CONSTRAINT team_invitations_role_check CHECK (role IN ('admin', 'member')),
      CONSTRAINT team_invitations_status_check CHECK (status IN ('pending', 'accepted', 'declined'))
    );
    CREATE INDEX team_invitations_team_email_idx ON team_invitations (team_id, email);
    CREATE INDEX team_invitations_pending_email_idx ON team_invitations (email, expires_at) WHERE status = 'pending';
  `
}
