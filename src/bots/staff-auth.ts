/**
 * Who may do what (R16): requests from another tenant are refused; only staff may compose,
 * send, invite or handle subscriber requests, and only administrators grant roles (/rechten).
 * The roles come from the settings' lists and the grants administrators made (services/access);
 * the lists apply in local mode too when set; only in local mode without an administrator or
 * staff list is everyone staff and administrator (the Agents Playground).
 */
import type { Activity } from 'botbuilder';
import type { TeamsSettings } from '../config';
import type { RolesHeld } from '../services/staff-services';

export type Refusal = 'tenant' | 'not_staff' | 'not_admin';

export function tenantOf(activity: Partial<Activity>): string | undefined {
  return (activity.conversation as { tenantId?: string } | undefined)?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
}

export function actorOf(activity: Partial<Activity>): string {
  return activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown';
}

export function fromOtherTenant(config: TeamsSettings, activity: Partial<Activity>): boolean {
  return config.bot.tenantId !== undefined && tenantOf(activity) !== config.bot.tenantId;
}

/** null when allowed, else why not. `roles` looks up the sender's roles (asked only when needed). */
export async function checkStaff(config: TeamsSettings, activity: Partial<Activity>, roles: (aadObjectId: string, name: string | undefined) => Promise<RolesHeld>, need: 'staff' | 'admin' = 'staff'): Promise<Refusal | null> {
  if (fromOtherTenant(config, activity)) return 'tenant';
  if (config.bot.localMode && config.bot.adminIds.length === 0 && config.bot.staffIds.length === 0) return null;
  const id = activity.from?.aadObjectId;
  if (!id) return 'not_staff';
  const held = await roles(id, activity.from?.name);
  if (need === 'admin') return held.admin ? null : held.staff ? 'not_admin' : 'not_staff';
  return held.staff ? null : 'not_staff';
}
