/**
 * ledger/: the delivery ledger, one row per recipient per notice (table `delivery`). This file
 * is the only writer of that table (test/architecture.test.ts): the audience snapshot, the
 * dispatcher's claim and outcomes, crash recovery, Meta's status callbacks, and the unlinking
 * that erasure (R11, R15) and retention (R14) ask for. Who is in an audience is defined in
 * audience.ts, the order of statuses in status-order.ts; progress.ts reads the counts.
 *
 * Results are written in batches with unnest() so the ledger keeps up with 1,000+ sends per
 * second; each batch locks its rows in id order first, so that writers updating overlapping
 * rows at the same time (dispatcher outcomes, status webhooks, erasure) never deadlock.
 * Statements that return rows from UPDATE are wrapped in a CTE: TypeORM then returns plain rows.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { queryPrepared, queryPreparedIn } from '../../db/prepared';
import { withDeadlockRetry } from '../../db/retry';
import { audienceQuery, REACHABLE, type Audience } from './audience';
import { reachedSql, statusRankSql } from './status-order';
import { requeueStaleClaims } from './stale-claims';
import { PASSING_FAILURE, passingParameters } from './failure-reasons';
import { HASHED_ID_SQL, messageIdHashSql } from '../../lib/message-id-hash';

type Db = DataSource | EntityManager;

/**
 * A snapshot and a subscriber's removal take turns: the snapshot holds this advisory lock
 * (a two-key one, apart from the one-key locks elsewhere) alone until its transaction ends, and
 * removals (unlinkSubscriber, mergeRecipients) share it until theirs does. delivery.subscriber_id
 * has no foreign key (its check locked every subscriber row of a snapshot, migration
 * 1766400000000); without the turns, an opt-out that commits while a snapshot runs would leave
 * the snapshot's delivery to them behind, number and all. With them, either the removal waits
 * and then sees the snapshot's rows, or the snapshot waits and does not see the removed
 * subscriber. A removal waits for the rest of the releasing transaction (about a second at
 * 100k; the session's lock_timeout of 15 s bounds it, and a webhook that times out is retried
 * by Meta); snapshots of different notices take turns with each other too. The one delete that
 * takes no turn, of sign-ups that never completed (privacy/retention.ts), deletes rows that were
 * never in an audience (only active subscribers are).
 */
const SNAPSHOT_TURNS_SQL = { exclusive: 'SELECT pg_advisory_xact_lock(28, 1)', shared: 'SELECT pg_advisory_xact_lock_shared(28, 1)' };

/** Inserts the deliveries of a notice, in the caller's transaction (notice and deliveries exist together or not at all); returns how many. */
export async function snapshotAudience(manager: EntityManager, outageMessageId: string, audience: Audience): Promise<number> {
  // Outside a transaction the turn would end with its own statement, before the insert.
  if (!manager.queryRunner?.isTransactionActive) throw new Error('snapshotAudience runs in the transaction that releases its notice');
  await manager.query(SNAPSHOT_TURNS_SQL.exclusive);
  const { from, params } = audienceQuery(audience, 2);
  const [row]: { count: number }[] = await manager.query(
    `WITH inserted AS (
       INSERT INTO delivery (outage_message_id, subscriber_id, phone, user_id)
       SELECT $1, s.id, s.phone, s.user_id ${from}
       RETURNING 1)
     SELECT count(*)::int AS count FROM inserted`,
    [outageMessageId, ...params],
  );
  return row.count;
}

export interface ClaimedDelivery {
  id: string;
  outageMessageId: string;
  /** Where the template goes: the number, or the business-scoped user id of a username user without one. */
  address: string;
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
 *
 * The claim must walk ix_delivery_queued in order and stop at the limit. Left to the statistics,
 * PostgreSQL read every queued row of the notice (through ix_delivery_message_status or a bitmap
 * of ix_delivery_queued), joined them all, then sorted them, whenever its statistics said few
 * rows were queued, which they say before every large notice (the last analysis saw the ledger
 * between notices): 290 ms a claim at 70,000 queued, most of the storm's database CPU. Planned
 * without sorting, the only plan left is the walk in order; planned for its parameters each time
 * (a generic plan cannot use the cursor as a range of the index, and walked from the front
 * again); and not JIT-compiled (PostgreSQL before 18 prices a disabled sort at 1e10, which made
 * it compile the claim with LLVM on every run: on PostgreSQL 15 the dispatcher then fell behind
 * two of its tests). The settings hold for the claim's own transaction only. While no notice is
 * sending (all paused, say), the claim reads no delivery at all (the first condition, checked
 * once). test/services/ledger/erasure-plan.test.ts holds all of it whatever the statistics say.
 */
export const CLAIM_PLANNER_SETTINGS = 'SET LOCAL enable_sort = off; SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off';

export const CLAIM_DELIVERIES_SQL = `WITH picked AS (
       SELECT d.id FROM delivery d
         JOIN outage_message m ON m.id = d.outage_message_id AND m.status = 'sending'
         JOIN subscriber s ON s.id = d.subscriber_id AND ${REACHABLE}
        WHERE EXISTS (SELECT 1 FROM outage_message WHERE status = 'sending')
          AND d.status = 'queued' AND d.next_attempt_at <= now()
          AND ($3::timestamptz IS NULL OR (d.next_attempt_at, d.id) > ($3::timestamptz, $4::bigint))
        ORDER BY d.next_attempt_at, d.id
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
     ), claimed AS (
       UPDATE delivery d SET status = 'sending', claimed_at = now(), claimed_by = $2, attempts = d.attempts + 1
         FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.outage_message_id, coalesce(d.phone, d.user_id) AS address, d.attempts, d.next_attempt_at
     )
     SELECT c.id, c.outage_message_id, c.address, c.attempts, m.template_parameters, c.next_attempt_at::text AS next_at
       FROM claimed c JOIN outage_message m ON m.id = c.outage_message_id
      ORDER BY c.next_attempt_at, c.id`;

export async function claimDeliveries(db: DataSource, limit: number, token: string, after?: ClaimCursor): Promise<{ deliveries: ClaimedDelivery[]; cursor: ClaimCursor | undefined }> {
  type Row = { id: string; outage_message_id: string; address: string; attempts: number; template_parameters: string[]; next_at: string };
  const rows = await queryPreparedIn<Row>(db, CLAIM_PLANNER_SETTINGS, CLAIM_DELIVERIES_SQL, [limit, token, after?.at ?? null, after?.id ?? null]);
  const last = rows[rows.length - 1];
  return {
    deliveries: rows.map((r) => ({ id: String(r.id), outageMessageId: r.outage_message_id, address: r.address, attempts: r.attempts, parameters: r.template_parameters, claimedBy: token })),
    cursor: last ? { at: last.next_at, id: String(last.id) } : undefined,
  };
}

/**
 * Accepted by WhatsApp: record the message id. Rows still 'sending' change, and rows a
 * successor has re-queued meanwhile (the message went out: sending it again would be a duplicate).
 */
export async function recordSent(db: DataSource, sent: { id: string; waMessageId: string }[], idKey?: string): Promise<void> {
  if (sent.length === 0) return;
  // A recipient erased while the send was on its way: the id (which encodes the number) is kept as its keyed hash.
  const id = idKey === undefined ? 's.wa_id' : `CASE WHEN d.subscriber_id IS NULL AND d.phone IS NULL AND d.user_id IS NULL THEN ${messageIdHashSql('s.wa_id', '$3')} ELSE s.wa_id END`;
  await queryPrepared(
    db,
    `WITH s AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS s(id, wa_id)),
     locked AS MATERIALIZED (SELECT d.id FROM delivery d WHERE d.id IN (SELECT id FROM s) ORDER BY d.id FOR UPDATE)
     UPDATE delivery d SET status = 'sent', wa_message_id = ${id}, sent_at = coalesce(d.sent_at, now()), status_at = coalesce(d.status_at, now()),
            error_code = NULL, error_title = NULL
       FROM s
      WHERE d.id = s.id AND d.id IN (SELECT id FROM locked) AND d.status IN ('sending', 'queued')`,
    [sent.map((s) => s.id), sent.map((s) => s.waMessageId), ...(idKey === undefined ? [] : [idKey])],
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
/**
 * One person's rows become one (privacy/person-merge.ts): the other rows' deliveries become the
 * survivor's; a notice both rows were given keeps the survivor's delivery, and the other one
 * (cancelled if still queued: one person, one message) keeps its counts but forgets its
 * recipient, as an erasure would: left with the old number or user id it would outlive the
 * person's opt-out once they had changed number. Queued deliveries go to the person's address
 * as it is now.
 */
export async function mergeRecipients(manager: EntityManager, fromIds: string[], to: { id: string; phone: string | null; userId: string | null }, idKey: string): Promise<void> {
  // The rows merged away are deleted in this transaction: no snapshot may give them a delivery meanwhile.
  await manager.query(SNAPSHOT_TURNS_SQL.shared);
  // One row at a time: after each, the survivor holds that row's notices, so a third row's
  // deliveries of the same notices are seen as duplicates too.
  for (const fromId of fromIds) {
    await manager.query(
      `UPDATE delivery d SET status = CASE WHEN d.status = 'queued' THEN 'cancelled'::delivery_status ELSE d.status END,
          subscriber_id = NULL, phone = NULL, user_id = NULL, ${hashMessageIdSql('$3')}
        WHERE d.subscriber_id = $1 AND EXISTS (SELECT 1 FROM delivery o WHERE o.outage_message_id = d.outage_message_id AND o.subscriber_id = $2)`,
      [fromId, to.id, idKey],
    );
    await manager.query('UPDATE delivery SET subscriber_id = $2 WHERE subscriber_id = $1', [fromId, to.id]);
  }
  await manager.query(`UPDATE delivery SET phone = $2, user_id = $3 WHERE subscriber_id = $1 AND status = 'queued'`, [to.id, to.phone, to.userId]);
}

/** When WhatsApp last took a notice for these subscribers (one person's rows), null if never. */
export async function lastNoticeTo(db: Db, subscriberIds: string[]): Promise<Date | null> {
  const [row]: { at: Date | null }[] = await db.query('SELECT max(sent_at) AS at FROM delivery WHERE subscriber_id = ANY($1::uuid[])', [subscriberIds]);
  return row.at;
}

/** Whether WhatsApp accepted any message of this notice (then a request error is one message's, not the notice's). */
export async function noticeHasGoneOut(db: Db, outageMessageId: string): Promise<boolean> {
  const [row]: { out: boolean }[] = await db.query('SELECT EXISTS (SELECT 1 FROM delivery WHERE outage_message_id = $1 AND wa_message_id IS NOT NULL) AS out', [outageMessageId]);
  return row.out;
}

export function requeueStale(db: Db, token: string, staleMs: number, ownStaleMs: number): Promise<number> {
  return requeueStaleClaims(db, 'delivery', token, staleMs, ownStaleMs);
}

/** Deliveries of removed or inactive subscribers are cancelled rather than left queued forever. */
export async function cancelOrphans(db: Db): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `WITH gone AS (
       UPDATE delivery d SET status = 'cancelled'
        WHERE d.status = 'queued'
          AND (NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.id = d.subscriber_id AND ${REACHABLE})
               -- A send handed back after its notice was superseded (notices/notice-lifecycle.ts) is never sent.
               OR EXISTS (SELECT 1 FROM outage_message m WHERE m.id = d.outage_message_id AND m.status = 'superseded'))
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
  );
  return n;
}

export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  waMessageId: string;
  /** The delivery the send carried along (biz_opaque_callback_data), for a status that outruns the send's own record. */
  deliveryId?: string | null;
  /** The recipient's WhatsApp id (recipient_id): a delivery found by its id must be to this number... */
  recipientId?: string | null;
  /** ...or to this business-scoped user id (recipient_user_id), which a username user's status may carry alone. */
  recipientUserId?: string | null;
  status: WhatsAppStatus;
  /** Meta's pricing block of the status (billable, category, pricing_model), when it has one. */
  billable?: boolean | null;
  pricingCategory?: string | null;
  pricingModel?: string | null;
  timestamp: Date;
  errorCode?: number | null;
  errorTitle?: string | null;
}

export interface StatusResult {
  applied: number;
  /** Ids that match no delivery (not ours, or already anonymised). */
  unknown: number;
}

/**
 * Applies a batch of statuses as webhooks bring them; unknown ids are counted, not stored.
 *
 * A status finds its delivery by the WhatsApp message id, or, when it comes before the
 * dispatcher has recorded that id (Meta can answer faster than our 50 ms outcome writes), by the
 * delivery id the send carried along: it then records the message id too, and the send's own
 * record, arriving later, changes nothing (it only moves rows not yet sent). That id is trusted
 * only for a delivery that was claimed (attempts > 0), has no message id yet and is to the
 * status's recipient: the number may be shared with another install (staging) whose ids mean
 * other deliveries.
 *
 * By the message id alone first, and only the statuses that matched no row look again under the
 * id's keyed hashes (`hashIds`; a row whose recipient was forgotten keeps only a hash). A status
 * of a notice's row still linked, nearly every one in a broadcast, costs no hashing and one index
 * probe; a batch with a status that matches no row (a forgotten recipient's, or one of the
 * service's own replies, which are not in the ledger) runs a second statement for those. Each
 * statement is retried on a deadlock on its own.
 */
export async function applyArrivingStatuses(db: DataSource, updates: StatusUpdate[], hashIds: (waMessageId: string) => string[]): Promise<StatusResult> {
  const first = await withDeadlockRetry(() => runStatusStatement(db, updates.map((u) => ({ ...u, hashedIds: [] }))));
  const missed = new Set(first.filter((r) => !r.matched).map((r) => r.id));
  if (missed.size === 0) return countOutcomes(first);
  const again = updates.filter((u) => missed.has(u.waMessageId)).map((u) => ({ ...u, hashedIds: hashIds(u.waMessageId) }));
  const second = countOutcomes(await withDeadlockRetry(() => runStatusStatement(db, again)));
  return { applied: countOutcomes(first).applied + second.applied, unknown: second.unknown };
}

type StatusOutcome = { id: string; matched: boolean; changed: boolean };

function countOutcomes(rows: StatusOutcome[]): StatusResult {
  return { applied: rows.filter((r) => r.changed).length, unknown: rows.filter((r) => !r.matched).length };
}

/** One statement of applyArrivingStatuses: for each message id of the batch, whether it found its row and changed it. */
/** `hashedIds`: the keyed hashes of each message id to look for as well, one per key version (lib/message-id-hash.ts). */
async function runStatusStatement(db: DataSource, updates: (StatusUpdate & { hashedIds: string[] })[]): Promise<StatusOutcome[]> {
  if (updates.length === 0) return [];
  return queryPrepared<StatusOutcome>(
    db,
    `WITH incoming AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::boolean[], $10::text[], $11::text[], $12::text[])
         AS u(wa_message_id, status, at, error_code, error_title, delivery_id, recipient_id, recipient_user_id, billable, pricing_category, pricing_model, hashed_ids)
     ),
     ranked AS (
       SELECT DISTINCT ON (wa_message_id) * FROM incoming
        ORDER BY wa_message_id,
                 ${statusRankSql('status')} DESC
     ),
     targets AS (
       SELECT r.*, coalesce(
                (SELECT d.id FROM delivery d WHERE d.wa_message_id = ANY(array_prepend(r.wa_message_id, string_to_array(r.hashed_ids, ' ')))),
                (SELECT d.id FROM delivery d
                  WHERE d.id = r.delivery_id AND d.wa_message_id IS NULL AND d.attempts > 0
                    AND (d.phone = r.recipient_id OR d.user_id = r.recipient_user_id)
                    -- Not a late status of the message that failed before a retry re-queued the row
                    -- (Meta's times are whole seconds: one second of slack).
                    AND NOT EXISTS (SELECT 1 FROM outage_message m WHERE m.id = d.outage_message_id AND m.failures_retried_at > r.at + interval '1 second'))) AS target
         FROM ranked r
     ),
     -- Rows locked in id order, as every ledger writer does: two writers never wait on each other in a circle.
     -- Only rows a status moves up: a lock writes to the row too, and some 40 % of statuses change
     -- nothing (Meta's 'sent' after the send's own record, repeats, statuses out of order). A row
     -- already as far as the status is skipped without waiting (a status never moves a row down,
     -- so the UPDATE would not have changed it either); one that passes and changed meanwhile is
     -- checked again on its newest version when its lock is granted.
     locked AS MATERIALIZED (
       SELECT d.id, d.billable FROM delivery d
        WHERE d.id IN (SELECT target FROM targets)
          AND EXISTS (SELECT 1 FROM targets t WHERE t.target = d.id AND ${statusRankSql('t.status')} > ${statusRankSql('d.status::text')})
        ORDER BY d.id FOR UPDATE
     ),
     updated AS (
       UPDATE delivery d
          SET status = r.status::delivery_status,
              wa_message_id = CASE WHEN ${HASHED_ID_SQL('d.wa_message_id')} THEN d.wa_message_id ELSE r.wa_message_id END,
              status_at = GREATEST(coalesce(d.status_at, r.at), r.at),
              sent_at = coalesce(d.sent_at, CASE WHEN r.status IN ${reachedSql('sent')} THEN r.at END),
              delivered_at = coalesce(d.delivered_at, CASE WHEN r.status IN ${reachedSql('delivered')} THEN r.at END),
              read_at = coalesce(d.read_at, CASE WHEN r.status IN ${reachedSql('read')} THEN r.at END),
              failed_at = CASE WHEN r.status = 'failed' THEN r.at ELSE d.failed_at END,
              error_code = CASE WHEN r.status = 'failed' THEN r.error_code ELSE d.error_code END,
              error_title = CASE WHEN r.status = 'failed' THEN left(r.error_title, 200) ELSE d.error_title END,
              billable = coalesce(r.billable, d.billable),
              pricing_category = coalesce(left(r.pricing_category, 40), d.pricing_category),
              pricing_model = coalesce(left(r.pricing_model, 40), d.pricing_model)
         FROM targets r
        WHERE d.id = r.target AND d.id IN (SELECT id FROM locked)
          AND ${statusRankSql('r.status')} > ${statusRankSql('d.status::text')}
       RETURNING d.id, d.billable, d.sent_at
     ),
     -- The month's count of billable notices (the tab's bill), once per delivery: when a status first says billable.
     billed AS (
       INSERT INTO message_count (month, kind, count)
       SELECT date_trunc('month', coalesce(u.sent_at, now()) AT TIME ZONE 'Europe/Amsterdam')::date, 'notice', count(*)
         FROM updated u JOIN locked l ON l.id = u.id
        WHERE u.billable AND l.billable IS NOT TRUE
        GROUP BY 1
       ON CONFLICT (month, kind) DO UPDATE SET count = message_count.count + excluded.count
     )
     SELECT t.wa_message_id AS id,
            t.target IS NOT NULL AS matched,
            EXISTS (SELECT 1 FROM updated u WHERE u.id = t.target) AS changed
       FROM targets t`,
    [
      updates.map((u) => u.waMessageId),
      updates.map((u) => u.status),
      updates.map((u) => u.timestamp.toISOString()),
      updates.map((u) => u.errorCode ?? null),
      updates.map((u) => u.errorTitle ?? null),
      updates.map((u) => u.deliveryId ?? null),
      updates.map((u) => u.recipientId ?? null),
      updates.map((u) => u.recipientUserId ?? null),
      updates.map((u) => u.billable ?? null),
      updates.map((u) => u.pricingCategory ?? null),
      updates.map((u) => u.pricingModel ?? null),
      // Hashes are hex: a space-separated list travels as one text per row.
      updates.map((u) => u.hashedIds.join(' ')),
    ],
  );
}

/**
 * Erasure (R11, R15): the subscriber's deliveries lose every link to them, and what was still
 * queued is cancelled; inside the caller's transaction. Their rows are those linked to them, and
 * those a merge left without a subscriber that carry their number or user id (merges before
 * 2026-12 left them so; mergeRecipients now forgets them itself).
 * A row of another subscriber with this number (theirs before a change of number) is theirs to
 * erase. Each condition has its index (uq_delivery_subscriber_message, ix_delivery_orphan_phone,
 * ix_delivery_orphan_user_id), so an opt-out reads the recipient's rows, not the ledger
 * (test/services/ledger/erasure-plan.test.ts holds the plan).
 */
export const UNLINK_SUBSCRIBER_SQL = `UPDATE delivery
    SET status = CASE WHEN status = 'queued' THEN 'cancelled'::delivery_status ELSE status END,
        subscriber_id = NULL, phone = NULL, user_id = NULL, ${hashMessageIdSql('$4')}
  WHERE subscriber_id = $1 OR (subscriber_id IS NULL AND (phone = $2 OR user_id = $3))`;

/** Called by privacy/erasure.ts and privacy/person-merge.ts only. */
export async function unlinkSubscriber(manager: EntityManager, subscriber: { id: string; phone: string | null; userId: string | null }, idKey: string): Promise<void> {
  // The subscriber is deleted in this transaction: a snapshot running now finishes first, and its rows are unlinked too.
  await manager.query(SNAPSHOT_TURNS_SQL.shared);
  await manager.query(UNLINK_SUBSCRIBER_SQL, [subscriber.id, subscriber.phone, subscriber.userId, idKey]);
}

/** A row that still names someone: by link, number, user id or an unhashed message id. */
const LINKED_SQL = `(d.subscriber_id IS NOT NULL OR d.phone IS NOT NULL OR d.user_id IS NOT NULL OR (d.wa_message_id IS NOT NULL AND NOT ${HASHED_ID_SQL('d.wa_message_id')}))`;

/**
 * R14: after the retention period only anonymous counts remain. Notice by notice: the notices
 * released before the period that retention has not finished with, then each one's rows (through
 * ix_delivery_message_status), never the whole ledger; every row still filtered on its own
 * created_at. One notice at a time also keeps the planner honest: asked for all due notices at
 * once it guessed several were due (the unfinished notices are the recent ones) and read the
 * ledger. A notice none of whose rows names anyone any more is marked and not read again (no row
 * regains a link: merges and statuses change only linked rows, and a notice's rows are all
 * created when it is released).
 */
export const DUE_FOR_RETENTION_SQL = `SELECT id FROM outage_message
      WHERE recipients_forgotten_at IS NULL AND released_at < now() - ($1::int * interval '1 day')
      ORDER BY released_at`;

export const FORGET_NOTICE_RECIPIENTS_SQL = `WITH forgotten AS (
       UPDATE delivery d SET subscriber_id = NULL, phone = NULL, user_id = NULL, ${hashMessageIdSql('$3')}
        WHERE d.outage_message_id = $1 AND d.created_at < now() - ($2::int * interval '1 day') AND ${LINKED_SQL}
       RETURNING 1)
     SELECT count(*)::int AS n FROM forgotten`;

export const MARK_RECIPIENTS_FORGOTTEN_SQL = `UPDATE outage_message m SET recipients_forgotten_at = now()
      WHERE m.id = $1 AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.outage_message_id = m.id AND ${LINKED_SQL})`;

/**
 * A delivery linked to a subscriber who is gone: every removal unlinks first, taking its turn
 * with snapshots, so this finds nothing unless an instance of a version before those turns
 * (before migration 1766400000000, during a rolling upgrade) raced a snapshot. Only notices
 * released in the last two days are read, one statement per notice through its own rows (as
 * retention does): a safety net for such a window, not a scan of the ledger
 * (test/services/ledger/erasure-plan.test.ts holds the plan).
 */
export const RECENTLY_RELEASED_SQL = `SELECT id FROM outage_message WHERE released_at > now() - interval '2 days'`;

export const FORGET_DANGLING_RECIPIENTS_SQL = `WITH dangling AS (
       UPDATE delivery d SET status = CASE WHEN d.status = 'queued' THEN 'cancelled'::delivery_status ELSE d.status END,
           subscriber_id = NULL, phone = NULL, user_id = NULL, ${hashMessageIdSql('$2')}
        WHERE d.outage_message_id = $1 AND d.subscriber_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.id = d.subscriber_id)
       RETURNING 1)
     SELECT count(*)::int AS n FROM dangling`;

/** Called by privacy/feature.ts only: how many recipients of subscribers who are gone it forgot. */
export async function forgetDanglingRecipients(db: Db, idKey: string): Promise<number> {
  const recent: { id: string }[] = await db.query(RECENTLY_RELEASED_SQL);
  let forgotten = 0;
  for (const { id } of recent) {
    const [{ n }]: { n: number }[] = await db.query(FORGET_DANGLING_RECIPIENTS_SQL, [id, idKey]);
    forgotten += n;
  }
  return forgotten;
}

/** Called by privacy/retention.ts only. */
export async function forgetOldRecipients(db: Db, retentionDays: number, idKey: string): Promise<number> {
  const due: { id: string }[] = await db.query(DUE_FOR_RETENTION_SQL, [retentionDays]);
  let forgotten = 0;
  for (const { id } of due) {
    const [{ n }]: { n: number }[] = await db.query(FORGET_NOTICE_RECIPIENTS_SQL, [id, retentionDays, idKey]);
    await db.query(MARK_RECIPIENTS_FORGOTTEN_SQL, [id]);
    forgotten += n;
  }
  return forgotten;
}

/**
 * Meta's message id encodes the number: once the recipient link goes, a keyed hash stays in its
 * place (lib/message-id-hash.ts), so a late status still finds the row and counts.
 */
function hashMessageIdSql(keyParameter: string): string {
  return `wa_message_id = CASE WHEN wa_message_id IS NULL OR ${HASHED_ID_SQL('wa_message_id')} THEN wa_message_id ELSE ${messageIdHashSql('wa_message_id', keyParameter)} END`;
}

/** Wakes the dispatcher (after the transaction that created deliveries commits). */
export async function notifyDeliveriesReady(db: Db): Promise<void> {
  await db.query(`SELECT pg_notify('delivery_ready', '')`);
}

export const DELIVERY_READY_CHANNEL = 'delivery_ready';

/**
 * *Opnieuw proberen (mislukt)*: re-queues the failed deliveries whose cause can pass
 * (failure-reasons.ts) and whose subscriber is still active: back to 'queued' as new (attempts 0, no error, no message id), so the dispatcher sends them
 * with the same rate limit and ledger guarantees as the first time. Returns how many.
 */
export async function requeuePassingFailures(manager: EntityManager, outageMessageId: string): Promise<number> {
  const rows: { id: string }[] = await manager.query(
    `WITH locked AS MATERIALIZED (
       SELECT d.id FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id AND ${REACHABLE}
        WHERE d.outage_message_id = $1 AND ${PASSING_FAILURE}
        ORDER BY d.id FOR UPDATE OF d
     ), requeued AS (
       UPDATE delivery d SET status = 'queued', attempts = 0, next_attempt_at = now(), claimed_at = NULL, claimed_by = NULL,
              failed_at = NULL, sent_at = NULL, status_at = now(), error_code = NULL, error_title = NULL, wa_message_id = NULL,
              billable = NULL, pricing_category = NULL, pricing_model = NULL
        WHERE d.id IN (SELECT id FROM locked)
        RETURNING d.id
     )
     -- A SELECT last: TypeORM answers a bare UPDATE with [rows, count], not the rows.
     SELECT id FROM requeued`,
    [outageMessageId, ...passingParameters()],
  );
  return rows.length;
}

/**
 * Notices superseded by a newer one of their outage (notices/notice-lifecycle.ts): what they
 * still have queued, first sends and back-off retries alike, is cancelled (an old "storing" must
 * not arrive after "opgelost"). In id order, as every ledger writer.
 */
export async function cancelQueuedDeliveries(manager: EntityManager, outageMessageIds: string[]): Promise<number> {
  const rows: { id: string }[] = await manager.query(
    `WITH locked AS MATERIALIZED (
       SELECT d.id FROM delivery d WHERE d.outage_message_id = ANY($1::uuid[]) AND d.status = 'queued' ORDER BY d.id FOR UPDATE
     ), cancelled AS (
       UPDATE delivery d SET status = 'cancelled', status_at = now() WHERE d.id IN (SELECT id FROM locked) RETURNING d.id
     )
     SELECT id FROM cancelled`,
    [outageMessageIds],
  );
  return rows.length;
}
