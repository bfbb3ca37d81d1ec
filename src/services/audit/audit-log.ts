/**
 * The audit trail of staff actions and refusals (R15, R16): who did what to which target.
 * R14: an audit record names a subscriber only by a masked number; the callers pass masked
 * targets, and whatever personal data slips into a target or a detail is masked here as well.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from '../../entities';
import { maskPersonalData } from '../../lib/mask';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome?: string;
  detail?: Record<string, string>;
}

/** The actor column's width: a longer id (any client can send one) is cut, marked, never refused. */
const ACTOR_LENGTH = 64;

export async function recordAudit(db: DataSource | EntityManager, entry: AuditEntry): Promise<void> {
  const detail = entry.detail ? Object.fromEntries(Object.entries(entry.detail).map(([key, value]) => [key, maskPersonalData(value)])) : null;
  const actor = entry.actor.length > ACTOR_LENGTH ? `${entry.actor.slice(0, ACTOR_LENGTH - 1)}…` : entry.actor;
  await db.getRepository(AuditEvent).insert({ actor, action: entry.action, target: entry.target ? maskPersonalData(entry.target) : null, outcome: entry.outcome ?? 'ok', detail });
}
