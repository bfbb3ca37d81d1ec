/**
 * Every SQL statement of the dispatcher in one place (claim, record, retry, recover). Results
 * are written in batches with unnest() so the ledger keeps up with 1,000+ sends per second.
 * Statements that return rows from UPDATE are wrapped in a CTE: TypeORM then returns plain rows.
 */
import type { DataSource, EntityManager } from 'typeorm';

type Db = DataSource | EntityManager;

export interface ClaimedDelivery {
  id: string;
  outageMessageId: string;
  phone: string;
  attempts: number;
  parameters: string[];
}

/**
 * Claims up to `limit` due deliveries of notices that are sending, whose subscriber is still
 * active at this moment (R3, R11): queued -> sending, attempts + 1, claimed_at = now().
 */
export async function claimDeliveries(db: Db, limit: number): Promise<ClaimedDelivery[]> {
  const rows: { id: string; outage_message_id: string; phone: string; attempts: number; template_parameters: string[] }[] = await db.query(
    `WITH picked AS (
       SELECT d.id FROM delivery d
         JOIN outage_message m ON m.id = d.outage_message_id AND m.status = 'sending'
         JOIN subscriber s ON s.id = d.subscriber_id AND s.status = 'active'
        WHERE d.status = 'queued' AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at, d.id
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
     ), claimed AS (
       UPDATE delivery d SET status = 'sending', claimed_at = now(), attempts = d.attempts + 1
         FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.outage_message_id, d.phone, d.attempts
     )
     SELECT c.id, c.outage_message_id, c.phone, c.attempts, m.template_parameters
       FROM claimed c JOIN outage_message m ON m.id = c.outage_message_id`,
    [limit],
  );
  return rows.map((r) => ({ id: String(r.id), outageMessageId: r.outage_message_id, phone: r.phone, attempts: r.attempts, parameters: r.template_parameters }));
}

/** Accepted by WhatsApp: record the message id. Only rows still 'sending' change. */
export async function recordSent(db: Db, sent: { id: string; waMessageId: string }[]): Promise<void> {
  if (sent.length === 0) return;
  await db.query(
    `UPDATE delivery d SET status = 'sent', wa_message_id = s.wa_id, sent_at = coalesce(d.sent_at, now()), status_at = coalesce(d.status_at, now()),
            error_code = NULL, error_title = NULL
       FROM unnest($1::bigint[], $2::text[]) AS s(id, wa_id)
      WHERE d.id = s.id AND d.status = 'sending'`,
    [sent.map((s) => s.id), sent.map((s) => s.waMessageId)],
  );
}

/** Back to the queue, due after delayMs (retryable errors, pair limit, pause). */
export async function recordRetry(db: Db, retries: { id: string; delayMs: number; code: number | null; title: string | null; countAttempt: boolean }[]): Promise<void> {
  if (retries.length === 0) return;
  await db.query(
    `UPDATE delivery d SET status = 'queued', next_attempt_at = now() + (r.delay_ms * interval '1 millisecond'),
            attempts = CASE WHEN r.count_attempt THEN d.attempts ELSE d.attempts - 1 END,
            error_code = coalesce(r.code, d.error_code), error_title = coalesce(left(r.title, 200), d.error_title)
       FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::bool[]) AS r(id, delay_ms, code, title, count_attempt)
      WHERE d.id = r.id AND d.status = 'sending'`,
    [retries.map((r) => r.id), retries.map((r) => Math.round(r.delayMs)), retries.map((r) => r.code), retries.map((r) => r.title), retries.map((r) => r.countAttempt)],
  );
}

/** Given up: failed with Meta's code and title (or ours for network errors). */
export async function recordFailed(db: Db, failed: { id: string; code: number | null; title: string }[]): Promise<void> {
  if (failed.length === 0) return;
  await db.query(
    `UPDATE delivery d SET status = 'failed', failed_at = now(), status_at = now(), error_code = f.code, error_title = left(f.title, 200)
       FROM unnest($1::bigint[], $2::int[], $3::text[]) AS f(id, code, title)
      WHERE d.id = f.id AND d.status = 'sending'`,
    [failed.map((f) => f.id), failed.map((f) => f.code), failed.map((f) => f.title)],
  );
}

/**
 * Crash recovery: a claim older than staleMs belongs to a dispatcher that died mid-send; put it
 * back. Whatever that dispatcher had in flight may go out twice (the documented window).
 */
export async function requeueStale(db: Db, staleMs: number): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `WITH back AS (
       UPDATE delivery SET status = 'queued', next_attempt_at = now()
        WHERE status = 'sending' AND claimed_at < now() - ($1::int * interval '1 millisecond')
       RETURNING 1)
     SELECT count(*)::int AS n FROM back`,
    [staleMs],
  );
  return n;
}

/** Deliveries of removed or inactive subscribers are cancelled rather than left queued forever. */
export async function cancelOrphans(db: Db): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `WITH gone AS (
       UPDATE delivery d SET status = 'cancelled'
        WHERE d.status = 'queued'
          AND NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.id = d.subscriber_id AND s.status = 'active')
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
  );
  return n;
}

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

/** Wakes the dispatcher (after the transaction that created deliveries commits). */
export async function notifyDeliveriesReady(db: Db): Promise<void> {
  await db.query(`SELECT pg_notify('delivery_ready', '')`);
}

export const DELIVERY_READY_CHANNEL = 'delivery_ready';
