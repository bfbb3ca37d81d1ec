/** Delivery counts of one notice, straight from the ledger (staff status card, tab). */
import type { DataSource, EntityManager } from 'typeorm';

export interface DeliveryProgress {
  total: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  /** How many Meta reported as billable (status webhooks' pricing)... */
  billable: number;
  /** ...and the category most of them were billed in; null before Meta said. */
  billedAs: string | null;
}

type StatusName = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'cancelled';

export async function deliveryProgress(db: DataSource | EntityManager, outageMessageId: string): Promise<DeliveryProgress> {
  const rows: { status: StatusName; count: number; billable: number; category: string | null }[] = await db.query(
    `SELECT status::text AS status, count(*)::int AS count, count(*) FILTER (WHERE billable)::int AS billable,
            mode() WITHIN GROUP (ORDER BY pricing_category) FILTER (WHERE billable) AS category
       FROM delivery WHERE outage_message_id = $1 GROUP BY status`,
    [outageMessageId],
  );
  const progress: DeliveryProgress = { total: 0, queued: 0, sending: 0, sent: 0, delivered: 0, read: 0, failed: 0, cancelled: 0, billable: 0, billedAs: null };
  let billedAsCount = 0;
  for (const row of rows) {
    progress[row.status] = row.count;
    progress.total += row.count;
    progress.billable += row.billable;
    if (row.category && row.billable > billedAsCount) {
      progress.billedAs = row.category;
      billedAsCount = row.billable;
    }
  }
  return progress;
}
