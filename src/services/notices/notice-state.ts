/**
 * The sending states of a notice that the sending machinery moves: done when the ledger has
 * nothing left to send, paused when Meta refuses the account, the number or the template
 * (resumed by staff through outages.ts).
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

/** What Meta refused, for the status card and the doctor (notices/pause-reasons.ts says it in Dutch). */
export interface PauseReason {
  scope: 'account' | 'number' | 'template' | 'notice';
  code: number | null;
}

/** Meta refuses this notice's own text: it alone waits (the others are not to blame). */
export async function pauseNotice(db: Db, outageMessageId: string, reason: PauseReason): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `WITH paused AS (UPDATE outage_message SET status = 'paused', pause_scope = $2, pause_code = $3 WHERE id = $1 AND status = 'sending' RETURNING 1) SELECT * FROM paused`,
    [outageMessageId, reason.scope, reason.code],
  );
  return rows.length > 0;
}

/**
 * Meta refused the account, the number or the template (or the template can no longer be sent):
 * every notice being sent waits, with the reason, until staff resume it. Nothing is marked failed.
 */
export async function pauseAllSending(db: Db, reason: PauseReason): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `WITH paused AS (UPDATE outage_message SET status = 'paused', pause_scope = $1, pause_code = $2 WHERE status = 'sending' RETURNING id) SELECT id FROM paused`,
    [reason.scope, reason.code],
  );
  return rows.map((r) => r.id);
}
