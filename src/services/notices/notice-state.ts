/**
 * The sending states of a notice that the sending machinery moves: done when the ledger has
 * nothing left to send, paused when WhatsApp stops a broadcast or the template can no longer
 * be sent (resumed by staff through outages.ts).
 */
import type { DataSource, EntityManager } from 'typeorm';

type Db = DataSource | EntityManager;

/** Notices with nothing left to send are done. */
export async function finishMessages(db: Db): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `WITH done AS (
       UPDATE outage_message m SET status = 'done', finished_at = now()
        WHERE m.status = 'sending'
          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.outage_message_id = m.id AND d.status IN ('queued', 'sending'))
       RETURNING m.id)
     SELECT id FROM done`,
  );
  return rows.map((r) => r.id);
}

/** 131048 / 368: stop the whole notice until staff resume it. */
export async function pauseMessage(db: Db, outageMessageId: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `WITH paused AS (UPDATE outage_message SET status = 'paused' WHERE id = $1 AND status = 'sending' RETURNING 1) SELECT * FROM paused`,
    [outageMessageId],
  );
  return rows.length > 0;
}

/** The template can no longer be sent: every notice being sent waits until staff resume it. */
export async function pauseAllSending(db: Db): Promise<string[]> {
  const rows: { id: string }[] = await db.query(`WITH paused AS (UPDATE outage_message SET status = 'paused' WHERE status = 'sending' RETURNING id) SELECT id FROM paused`);
  return rows.map((r) => r.id);
}
