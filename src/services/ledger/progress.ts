/** Delivery counts of notices, straight from the ledger (staff status card, /storingen, tab). */
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
  return (await deliveryProgressOf(db, [outageMessageId])).get(outageMessageId) as DeliveryProgress;
}

/** The counts of several notices in one query (the /storingen list costs the same for 1 outage or 25). */
export async function deliveryProgressOf(db: DataSource | EntityManager, outageMessageIds: string[]): Promise<Map<string, DeliveryProgress>> {
  const rows: { id: string; status: StatusName; count: number; billable: number; category: string | null }[] = await db.query(
    `SELECT outage_message_id::text AS id, status::text AS status, count(*)::int AS count, count(*) FILTER (WHERE billable)::int AS billable,
            mode() WITHIN GROUP (ORDER BY pricing_category) FILTER (WHERE billable) AS category
       FROM delivery WHERE outage_message_id = ANY($1::uuid[]) GROUP BY outage_message_id, status`,
    [outageMessageIds],
  );
  const result = new Map(outageMessageIds.map((id): [string, DeliveryProgress] => [id, { total: 0, queued: 0, sending: 0, sent: 0, delivered: 0, read: 0, failed: 0, cancelled: 0, billable: 0, billedAs: null }]));
  const billedAsCount = new Map<string, number>();
  for (const row of rows) {
    const progress = result.get(row.id);
    if (!progress) continue;
    progress[row.status] = row.count;
    progress.total += row.count;
    progress.billable += row.billable;
    if (row.category && row.billable > (billedAsCount.get(row.id) ?? 0)) {
      progress.billedAs = row.category;
      billedAsCount.set(row.id, row.billable);
    }
  }
  return result;
}
