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
}

export async function deliveryProgress(db: DataSource | EntityManager, outageMessageId: string): Promise<DeliveryProgress> {
  const rows: { status: keyof DeliveryProgress; count: number }[] = await db.query(
    'SELECT status::text AS status, count(*)::int AS count FROM delivery WHERE outage_message_id = $1 GROUP BY status',
    [outageMessageId],
  );
  const progress: DeliveryProgress = { total: 0, queued: 0, sending: 0, sent: 0, delivered: 0, read: 0, failed: 0, cancelled: 0 };
  for (const row of rows) {
    progress[row.status] = row.count;
    progress.total += row.count;
  }
  return progress;
}
