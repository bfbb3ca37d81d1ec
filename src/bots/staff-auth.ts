/**
 * Who may do what (R16): requests from another tenant are refused; only staff may compose,
 * send, invite or handle subscriber requests. STAFF_AAD_OBJECT_IDS applies in local mode too
 * when it is set; only in local mode without it is everyone staff (the Agents Playground).
 */
import type { Activity } from 'botbuilder';
import type { Config } from '../config';

export type Refusal = 'tenant' | 'not_staff';

export function tenantOf(activity: Partial<Activity>): string | undefined {
  return (activity.conversation as { tenantId?: string } | undefined)?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
}

export function actorOf(activity: Partial<Activity>): string {
  return activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown';
}

/** null when allowed, else why not. */
export function checkStaff(config: Config, activity: Partial<Activity>): Refusal | null {
  const tenant = tenantOf(activity);
  if (config.bot.tenantId && tenant !== config.bot.tenantId) return 'tenant';
  if (config.bot.localMode && config.bot.staffIds.length === 0) return null;
  const id = activity.from?.aadObjectId;
  return id && config.bot.staffIds.includes(id) ? null : 'not_staff';
}
