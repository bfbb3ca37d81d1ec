/**
 * The other half of what Meta bills: the conversation's replies (service messages, billed since
 * 1 October 2026, docs/platform.md A3), counted per month and kind once Meta accepted them. The
 * notices' own pricing is on their deliveries (delivery-ledger.ts). Counts only: who got a
 * reply, and what it said, is not kept (R5).
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { ServiceMessageKind } from '../../entities';

export type { ServiceMessageKind };

export async function countServiceMessage(db: DataSource | EntityManager, kind: ServiceMessageKind, at = new Date()): Promise<void> {
  await db.query(
    `INSERT INTO message_count (month, kind, count)
     VALUES (date_trunc('month', $2::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date, $1, 1)
     ON CONFLICT (month, kind) DO UPDATE SET count = message_count.count + 1`,
    [kind, at.toISOString()],
  );
}
