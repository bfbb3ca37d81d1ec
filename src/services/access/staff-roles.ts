/**
 * Who is staff, manager or administrator (R16), without a restart. The settings' lists are the
 * bootstrap (ADMIN_AAD_OBJECT_IDS administrators, STAFF_AAD_OBJECT_IDS staff,
 * MANAGER_AAD_OBJECT_IDS managers); administrators grant and revoke the rest with /rechten in
 * Teams, each change an audit_event. An administrator is staff too. A role the settings give
 * cannot be taken in Teams (the settings would still give it): the answer says where it comes from.
 */
import type { DataSource } from 'typeorm';
import { StaffRole } from '../../entities';
import { ValidationError } from '../../http/errors';
import { recordAudit } from '../audit/audit-log';
import type { RoleChange, RoleHolder, RolesHeld, StaffRoleName } from '../staff-services';

/** The settings' lists. */
export interface BootstrapRoles {
  adminIds: readonly string[];
  staffIds: readonly string[];
  managerIds: readonly string[];
}

/** An Entra ID object id: a GUID. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra shows object ids in lower case; a list pasted in upper case still matches. */
function listed(list: readonly string[], aadObjectId: string): boolean {
  const id = aadObjectId.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === id);
}

const SETTING: Record<StaffRoleName, keyof BootstrapRoles> = { admin: 'adminIds', staff: 'staffIds', manager: 'managerIds' };

function held(bootstrap: BootstrapRoles, granted: Set<string>, aadObjectId: string): { roles: RolesHeld; fromSettings: Set<StaffRoleName> } {
  const fromSettings = new Set((['admin', 'staff', 'manager'] as const).filter((role) => listed(bootstrap[SETTING[role]], aadObjectId)));
  const has = (role: StaffRoleName) => fromSettings.has(role) || granted.has(role);
  const admin = has('admin');
  return { roles: { admin, staff: admin || has('staff'), manager: has('manager') }, fromSettings };
}

async function grantedRoles(db: DataSource, aadObjectId: string): Promise<Set<string>> {
  return new Set((await db.getRepository(StaffRole).find({ where: { aadObjectId: aadObjectId.toLowerCase() }, select: { role: true } })).map((r) => r.role));
}

/** The roles an object id holds. With a display name, the grants' stored name follows what Teams shows (one write only when it changed). */
export async function rolesOf(db: DataSource, bootstrap: BootstrapRoles, aadObjectId: string, displayName?: string): Promise<RolesHeld> {
  const granted = await grantedRoles(db, aadObjectId);
  if (displayName && granted.size > 0) {
    await db.query(`UPDATE staff_role SET display_name = $2 WHERE aad_object_id = $1 AND display_name IS DISTINCT FROM $2`, [aadObjectId.toLowerCase(), displayName.slice(0, 200)]);
  }
  return held(bootstrap, granted, aadObjectId).roles;
}

/** Everyone with a role: the settings' first, then the grants by role and name. */
export async function roleHolders(db: DataSource, bootstrap: BootstrapRoles): Promise<RoleHolder[]> {
  const settings: RoleHolder[] = (['admin', 'staff', 'manager'] as const).flatMap((role) => bootstrap[SETTING[role]].map((id) => ({ aadObjectId: id, role, displayName: null, source: 'settings' as const })));
  const grants = await db.getRepository(StaffRole).find({ order: { role: 'ASC', displayName: 'ASC', aadObjectId: 'ASC' } });
  return [...settings, ...grants.map((g) => ({ aadObjectId: g.aadObjectId, role: g.role, displayName: g.displayName, source: { grantedBy: g.grantedBy, grantedAt: g.grantedAt.toISOString() } }))];
}

/**
 * Grants (granted true) or revokes a role, audited when something changed. The answer says
 * whether the role is still held afterwards and why: a revoked role the settings also give, or
 * staff through being an administrator.
 */
export async function changeRole(db: DataSource, bootstrap: BootstrapRoles, aadObjectId: string, role: StaffRoleName, granted: boolean, actor: string): Promise<RoleChange> {
  const id = aadObjectId.trim().toLowerCase();
  // Roles of the settings are theirs to give: a grant on top would outlive its removal there.
  if (granted && listed(bootstrap[SETTING[role]], id)) return { changed: false, holds: true, because: 'settings' };
  if (!OBJECT_ID.test(id) && !(!granted && listed(bootstrap[SETTING[role]], id))) {
    throw new ValidationError('not an Entra ID object id', `"${aadObjectId}" is geen Entra-id (een object-id zoals 0b8e4c2a-5d6f-4a1b-9c3d-7e8f9a0b1c2d). Wie nog geen toegang heeft, ziet zijn Entra-id als hij de bot iets stuurt.`);
  }
  const changed = await db.transaction(async (manager) => {
    const rows: unknown[] = granted
      ? await manager.query(`INSERT INTO staff_role (aad_object_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT (aad_object_id, role) DO NOTHING RETURNING 1`, [id, role, actor])
      : (await manager.query<[unknown[], number]>(`DELETE FROM staff_role WHERE aad_object_id = $1 AND role = $2 RETURNING 1`, [id, role]))[0];
    if (rows.length === 0) return false;
    await recordAudit(manager, { actor, action: granted ? 'access.grant' : 'access.revoke', target: id, detail: { role } });
    return true;
  });
  const after = held(bootstrap, await grantedRoles(db, id), id);
  const holds = after.roles[role];
  // Still held after a revocation: the settings give it, or (staff) they are an administrator.
  const because = granted || !holds ? undefined : after.fromSettings.has(role) ? 'settings' : 'admin';
  return { changed, holds, because };
}
