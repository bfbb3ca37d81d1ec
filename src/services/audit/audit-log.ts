/** The audit trail of staff actions and refusals (R15, R16): who did what to which target. */
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from '../../entities';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome?: string;
  detail?: Record<string, string>;
}

export async function recordAudit(db: DataSource | EntityManager, entry: AuditEntry): Promise<void> {
  await db.getRepository(AuditEvent).insert({ actor: entry.actor, action: entry.action, target: entry.target ?? null, outcome: entry.outcome ?? 'ok', detail: entry.detail ?? null });
}
