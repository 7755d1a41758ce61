/**
 * Which team actions a member may take, from their role and the target member's (DESIGN.md
 * "Teams", the rules the domain's Teams enforces). The UI shows an action only when these say
 * yes; the server still decides, so a race (a role changed meanwhile) ends in a refusal shown to
 * the user, never in a wrong write.
 */

export type TeamRole = "owner" | "admin" | "member"

/** The roles an invitation or a role change can grant: ownership moves only by transfer. */
export const grantableRoles = ["member", "admin"] as const
export type GrantableRole = (typeof grantableRoles)[number]

export const roleLabel: Record<TeamRole, string> = { owner: "Owner", admin: "Admin", member: "Member" }

/** Owner and admins invite. */
export const canInvite = (mine: TeamRole): boolean => mine !== "member"

/** Owner and admins rename (API.md: PUT /api/teams/{teamId} is "owner, admin"). */
export const canRename = (mine: TeamRole): boolean => mine !== "member"

/** Only the owner deletes the team. */
export const canDeleteTeam = (mine: TeamRole): boolean => mine === "owner"

/** Only the owner changes roles, never their own (ownership moves only by transfer). */
export const canChangeRole = (mine: TeamRole, target: TeamRole, isSelf: boolean): boolean =>
  mine === "owner" && !isSelf && target !== "owner"

/** Only the owner transfers ownership, to another member. */
export const canTransferTo = (mine: TeamRole, isSelf: boolean): boolean => mine === "owner" && !isSelf

/**
 * Removing someone else: the owner removes admins and members, an admin removes members only;
 * nobody removes the owner. Removing oneself is leaving (canLeave).
 */
export const canRemove = (mine: TeamRole, target: TeamRole, isSelf: boolean): boolean => {
  if (isSelf || target === "owner") return false
  if (mine === "owner") return true
  return mine === "admin" && target === "member"
}

/** Anyone but the owner may leave; the owner must transfer ownership first. */
export const canLeave = (mine: TeamRole): boolean => mine !== "owner"
