/**
 * Every SQL statement of the dispatcher in one place (claim, record, retry, recover). Results
 * are written in batches with unnest() so the ledger keeps up with 1,000+ sends per second;
 * each batch locks its rows in id order first, as the status webhooks do, so that writers
 * updating overlapping rows at the same time never deadlock.
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
  /** The token it was claimed with: its outcome is written only while the claim is still this one. */
  claimedBy: string;
}

/** Where a claim ended in the queue's order (next_attempt_at to the microsecond, id). */
export interface ClaimCursor {
  at: string;
  id: string;
}

/**
 * Claims up to `limit` due deliveries of notices that are sending, whose subscriber is still
 * active at this moment (R3, R11): queued -> sending, attempts + 1, claimed_at = now(), and
 * claimed_by = the claiming dispatcher's token (so a successor knows whose claims it finds).
 * With `after`, the scan starts past the previous claim: claimed rows leave index entries
 * behind until vacuum, and a scan from the start of the queue steps over all of them (a claim
 * took 22 ms on average and up to 457 ms halfway through 100,000 deliveries; from the cursor, ~2 ms).
 */
export async function claimDeliveries(db: Db, limit: number, token: string, after?: ClaimCursor): Promise<{ deliveries: ClaimedDelivery[]; cursor: ClaimCursor | undefined }> {
  const rows: { id: string; outage_message_id: string; phone: string; attempts: number; template_parameters: string[]; next_at: string }[] = await db.query(
    `WITH picked AS (
       SELECT d.id FROM delivery d
         JOIN outage_message m ON m.id = d.outage_message_id AND m.status = 'sending'
         JOIN subscriber s ON s.id = d.subscriber_id AND s.status = 'active'
        WHERE d.status = 'queued' AND d.next_attempt_at <= now()
          AND ($3::timestamptz IS NULL OR (d.next_attempt_at, d.id) > ($3::timestamptz, $4::bigint))
        ORDER BY d.next_attempt_at, d.id
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
     ), claimed AS (
       UPDATE delivery d SET status = 'sending', claimed_at = now(), claimed_by = $2, attempts = d.attempts + 1
         FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.outage_message_id, d.phone, d.attempts, d.next_attempt_at
     )
     SELECT c.id, c.outage_message_id, c.phone, c.attempts, m.template_parameters, c.next_attempt_at::text AS next_at
       FROM claimed c JOIN outage_message m ON m.id = c.outage_message_id
      ORDER BY c.next_attempt_at, c.id`,
    [limit, token, after?.at ?? null, after?.id ?? null],
  );
  const last = rows[rows.length - 1];
  return {
    deliveries: rows.map((r) => ({ id: String(r.id), outageMessageId: r.outage_message_id, phone: r.phone, attempts: r.attempts, parameters: r.template_parameters, claimedBy: token })),
    cursor: last ? { at: last.next_at, id: String(last.id) } : undefined,
  };
}

/**
 * Accepted by WhatsApp: record the message id. Rows still 'sending' change, and rows a
 * successor has re-queued meanwhile (the message went out: sending it again would be a duplicate).
 */
export async function recordSent(db: Db, sent: { id: string; waMessageId: string }[]): Promise<void> {
  if (sent.length === 0) return;
  await db.query(
    `WITH s AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS s(id, wa_id)),
     locked AS MATERIALIZED (SELECT d.id FROM delivery d WHERE d.id IN (SELECT id FROM s) ORDER BY d.id FOR UPDATE)
     UPDATE delivery d SET status = 'sent', wa_message_id = s.wa_id, sent_at = coalesce(d.sent_at, now()), status_at = coalesce(d.status_at, now()),
            error_code = NULL, error_title = NULL
       FROM s
      WHERE d.id = s.id AND d.id IN (SELECT id FROM locked) AND d.status IN ('sending', 'queued')`,
    [sent.map((s) => s.id), sent.map((s) => s.waMessageId)],
  );
}

/**
 * Back to the queue, due after delayMs (retryable errors, pair limit, pause, hand-back). Only
 * while the row is still in the claim it was sent under: a dispatcher that lost its lock must
 * not touch what the new one has claimed since.
 */
export async function recordRetry(db: Db, retries: { id: string; claimedBy: string; delayMs: number; code: number | null; title: string | null; countAttempt: boolean }[]): Promise<void> {
  if (retries.length === 0) return;
  await db.query(
    `WITH r AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::bool[], $6::uuid[]) AS r(id, delay_ms, code, title, count_attempt, claimed_by)),
     locked AS MATERIALIZED (SELECT d.id FROM delivery d WHERE d.id IN (SELECT id FROM r) ORDER BY d.id FOR UPDATE)
     UPDATE delivery d SET status = 'queued', next_attempt_at = now() + (r.delay_ms * interval '1 millisecond'),
            attempts = CASE WHEN r.count_attempt THEN d.attempts ELSE d.attempts - 1 END,
            error_code = coalesce(r.code, d.error_code), error_title = coalesce(left(r.title, 200), d.error_title)
       FROM r
      WHERE d.id = r.id AND d.id IN (SELECT id FROM locked) AND d.status = 'sending' AND d.claimed_by = r.claimed_by`,
    [retries.map((r) => r.id), retries.map((r) => Math.round(r.delayMs)), retries.map((r) => r.code), retries.map((r) => r.title), retries.map((r) => r.countAttempt), retries.map((r) => r.claimedBy)],
  );
}

/** Given up: failed with Meta's code and title (or ours for network errors); only within its claim, as a retry. */
export async function recordFailed(db: Db, failed: { id: string; claimedBy: string; code: number | null; title: string }[]): Promise<void> {
  if (failed.length === 0) return;
  await db.query(
    `WITH f AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::uuid[]) AS f(id, code, title, claimed_by)),
     locked AS MATERIALIZED (SELECT d.id FROM delivery d WHERE d.id IN (SELECT id FROM f) ORDER BY d.id FOR UPDATE)
     UPDATE delivery d SET status = 'failed', failed_at = now(), status_at = now(), error_code = f.code, error_title = left(f.title, 200)
       FROM f
      WHERE d.id = f.id AND d.id IN (SELECT id FROM locked) AND d.status = 'sending' AND d.claimed_by = f.claimed_by`,
    [failed.map((f) => f.id), failed.map((f) => f.code), failed.map((f) => f.title), failed.map((f) => f.claimedBy)],
  );
}

/**
 * Crash recovery. Only the leader claims, so a row still 'sending' under another dispatcher's
 * token was left by one that died or lost the lock: once older than staleMs (longer than a
 * send can take) it goes back to the queue. Our own claims are ours to finish; only if one is
 * very old (its outcome could not be written) is it put back too. What a dead dispatcher had
 * sent but not yet recorded may go out twice (the documented window), unless Meta's status
 * callback (matched by the delivery id we send along) has recorded it first.
 */
export async function requeueStale(db: Db, token: string, staleMs: number, ownStaleMs: number): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `WITH back AS (
       UPDATE delivery SET status = 'queued', next_attempt_at = now(), claimed_by = NULL
        WHERE status = 'sending'
          AND ((claimed_by IS DISTINCT FROM $1 AND claimed_at < now() - ($2::int * interval '1 millisecond'))
               OR claimed_at < now() - ($3::int * interval '1 millisecond'))
       RETURNING 1)
     SELECT count(*)::int AS n FROM back`,
    [token, staleMs, ownStaleMs],
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
