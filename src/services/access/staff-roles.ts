/**
 * Who is staff, manager or administrator (R16), without a restart: the settings' lists are the
 * bootstrap (STAFF_AAD_OBJECT_IDS are administrators, MANAGER_AAD_OBJECT_IDS managers), and
 * administrators grant and revoke the rest with /rechten in Teams. Every grant and revocation
 * is an audit_event. A role from the settings cannot be revoked here: the settings would bring
 * it back at the next start, so the answer says where to change it.
 */
import type { DataSource } from 'typeorm';
import { StaffRole } from '../../entities';
import type { RoleHolder, RolesHeld, StaffRoleName } from '../staff-services';
import { ValidationError } from '../../http/errors';
import { recordAudit } from '../audit/audit-log';

/** The settings' lists. */
export interface BootstrapRoles {
  staffIds: readonly string[];
  managerIds: readonly string[];
}

/** An Entra ID object id: a GUID. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isObjectId(text: string): boolean {
  return OBJECT_ID.test(text);
}

/** Entra shows object ids in lower case; a list pasted in upper case still matches. */
function listed(list: readonly string[], aadObjectId: string): boolean {
  const id = aadObjectId.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === id);
}

function fromSettings(bootstrap: BootstrapRoles, aadObjectId: string, role: StaffRoleName): boolean {
  return listed(role === 'manager' ? bootstrap.managerIds : bootstrap.staffIds, aadObjectId);
}

/**
 * The roles an object id holds. An administrator is staff too. With a display name, the grants'
 * stored name follows what Teams shows (one write only when it changed).
 */
export async function rolesOf(db: DataSource, bootstrap: BootstrapRoles, aadObjectId: string, displayName?: string): Promise<RolesHeld> {
  const granted = new Set(
    (await db.getRepository(StaffRole).find({ where: { aadObjectId: aadObjectId.toLowerCase() }, select: { role: true } })).map((r) => r.role),
  );
  if (displayName && granted.size > 0) {
    await db.query(`UPDATE staff_role SET display_name = $2 WHERE aad_object_id = $1 AND display_name IS DISTINCT FROM $2`, [aadObjectId.toLowerCase(), displayName.slice(0, 200)]);
  }
  const admin = listed(bootstrap.staffIds, aadObjectId) || granted.has('admin');
  return { admin, staff: admin || granted.has('staff'), manager: listed(bootstrap.managerIds, aadObjectId) || granted.has('manager') };
}

/** Everyone with a role: the settings' first, then the grants by role and name. */
export async function roleHolders(db: DataSource, bootstrap: BootstrapRoles): Promise<RoleHolder[]> {
  const settings: RoleHolder[] = [
    ...bootstrap.staffIds.map((id) => ({ aadObjectId: id, role: 'admin' as const, displayName: null, source: 'settings' as const })),
    ...bootstrap.managerIds.map((id) => ({ aadObjectId: id, role: 'manager' as const, displayName: null, source: 'settings' as const })),
  ];
  const grants = await db.getRepository(StaffRole).find({ order: { role: 'ASC', displayName: 'ASC', aadObjectId: 'ASC' } });
  return [...settings, ...grants.map((g) => ({ aadObjectId: g.aadObjectId, role: g.role, displayName: g.displayName, source: { grantedBy: g.grantedBy, grantedAt: g.grantedAt.toISOString() } }))];
}

/** Grants a role; false when it was held already (nothing changes, nothing is audited). */
export async function grantRole(db: DataSource, bootstrap: BootstrapRoles, aadObjectId: string, role: StaffRoleName, actor: string): Promise<boolean> {
  const id = checkedId(aadObjectId);
  if (fromSettings(bootstrap, id, role)) return false;
  return db.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO staff_role (aad_object_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT (aad_object_id, role) DO NOTHING RETURNING 1`,
      [id, role, actor],
    );
    if (inserted.length === 0) return false;
    await recordAudit(manager, { actor, action: 'access.grant', target: id, detail: { role } });
    return true;
  });
}

/** Revokes a granted role; false when it was not granted. A role from the settings is refused. */
export async function revokeRole(db: DataSource, bootstrap: BootstrapRoles, aadObjectId: string, role: StaffRoleName, actor: string): Promise<boolean> {
  if (fromSettings(bootstrap, aadObjectId.trim(), role)) {
    const setting = role === 'manager' ? 'MANAGER_AAD_OBJECT_IDS' : 'STAFF_AAD_OBJECT_IDS';
    throw new ValidationError(`the role comes from ${setting}`, `Deze rol komt uit de instelling ${setting} en kan alleen daar worden weggehaald (door wie de server beheert).`);
  }
  const id = checkedId(aadObjectId);
  return db.transaction(async (manager) => {
    const deleted: [unknown[], number] = await manager.query(`DELETE FROM staff_role WHERE aad_object_id = $1 AND role = $2 RETURNING 1`, [id, role]);
    if (deleted[1] === 0) return false;
    await recordAudit(manager, { actor, action: 'access.revoke', target: id, detail: { role } });
    return true;
  });
}

function checkedId(aadObjectId: string): string {
  const id = aadObjectId.trim().toLowerCase();
  if (!isObjectId(id)) throw new ValidationError('not an Entra ID object id', `"${aadObjectId}" is geen Entra-id (een object-id zoals 0b8e4c2a-5d6f-4a1b-9c3d-7e8f9a0b1c2d). Wie nog geen toegang heeft, ziet zijn Entra-id als hij de bot iets stuurt.`);
  return id;
}
