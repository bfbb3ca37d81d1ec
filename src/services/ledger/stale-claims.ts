/**
 * Crash recovery shared by the two queues the dispatcher claims from (delivery, reply_outbox):
 * a claim another dispatcher left behind longer than staleMs ago, or one of our own older than
 * ownStaleMs (its outcome could not be written), goes back to the queue. Called by
 * delivery-ledger.ts and reply-outbox.ts, each for its own table.
 */
import type { DataSource, EntityManager } from 'typeorm';

export async function requeueStaleClaims(db: DataSource | EntityManager, table: 'delivery' | 'reply_outbox', token: string, staleMs: number, ownStaleMs: number): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `WITH back AS (
       UPDATE ${table} SET status = 'queued', next_attempt_at = now(), claimed_by = NULL
        WHERE status = 'sending'
          AND ((claimed_by IS DISTINCT FROM $1 AND claimed_at < now() - ($2::int * interval '1 millisecond'))
               OR claimed_at < now() - ($3::int * interval '1 millisecond'))
       RETURNING 1)
     SELECT count(*)::int AS n FROM back`,
    [token, staleMs, ownStaleMs],
  );
  return n;
}
