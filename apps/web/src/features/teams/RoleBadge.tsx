/** A member's role as a small labelled badge ("Owner", "Admin", "Member"). */
import { roleLabel, type TeamRole } from "./TeamPermissions"

export const RoleBadge = ({ role }: { readonly role: TeamRole }) => (
  <span className={`badge role-badge role-${role}`}>{roleLabel[role]}</span>
)
