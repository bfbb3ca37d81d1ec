/**
 * Durable conversation replies (table `reply_outbox`): queued in the transaction of the state
 * change they confirm, so a crash between the commit and the send loses nothing; claimed and
 * sent by the dispatcher (dispatcher.ts) within the same rate limit as the notices; deleted
 * once Meta accepted them, in the statement that counts them as a billed service message
 * (message_count). A claim of a dispatcher that died is queued again, as with deliveries.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { ServiceMessageKind } from '../../entities';
import { requeueStaleClaims } from './stale-claims';

type Db = DataSource | EntityManager;

export interface ClaimedReply {
  id: string;
  address: string;
  text: string;
  kind: ServiceMessageKind;
  attempts: number;
  claimedBy: string;
}

/** Queues the replies to one inbound message, in the caller's transaction; a redelivery queues nothing twice. */
export async function queueReplies(manager: EntityManager, inboundMessageId: string, address: string, replies: { kind: ServiceMessageKind; text: string }[]): Promise<void> {
  if (replies.length === 0) return;
  await manager.query(
    `INSERT INTO reply_outbox (inbound_message_id, seq, address, kind, text)
     SELECT $1, r.seq - 1, $2, r.kind, r.text FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS r(kind, text, seq)
     ON CONFLICT (inbound_message_id, seq) DO NOTHING`,
    [inboundMessageId, address, replies.map((r) => r.kind), replies.map((r) => r.text)],
  );
}

/** Claims due replies, oldest first (SKIP LOCKED: two dispatchers never take the same one). */
export async function claimReplies(db: Db, limit: number, token: string): Promise<ClaimedReply[]> {
  const rows: { id: string; address: string; text: string; kind: ServiceMessageKind; attempts: number }[] = await db.query(
    `WITH picked AS (
       SELECT id FROM reply_outbox WHERE status = 'queued' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE reply_outbox r SET status = 'sending', claimed_at = now(), claimed_by = $2, attempts = r.attempts + 1
         FROM picked WHERE r.id = picked.id
       RETURNING r.id, r.address, r.text, r.kind, r.attempts, r.next_attempt_at
     )
     SELECT id, address, text, kind, attempts FROM claimed ORDER BY next_attempt_at, id`,
    [limit, token],
  );
  return rows.map((r) => ({ ...r, id: String(r.id), claimedBy: token }));
}

/** Meta accepted it: gone from the outbox, counted for the month's bill. */
export async function replySent(db: Db, reply: ClaimedReply): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM reply_outbox WHERE id = $1 AND claimed_by = $2 RETURNING kind)
     INSERT INTO message_count (month, kind, count)
     SELECT date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam')::date, kind, 1 FROM gone
     ON CONFLICT (month, kind) DO UPDATE SET count = message_count.count + 1`,
    [reply.id, reply.claimedBy],
  );
}

/** Meta said no for good (or the attempts ran out): dropped, nothing kept. */
export async function replyDropped(db: Db, reply: ClaimedReply): Promise<void> {
  await db.query('DELETE FROM reply_outbox WHERE id = $1 AND claimed_by = $2', [reply.id, reply.claimedBy]);
}

/** Back to the queue, due after delayMs; an attempt that never reached Meta is not counted. */
export async function replyRetry(db: Db, reply: ClaimedReply, delayMs: number, countAttempt: boolean): Promise<void> {
  await db.query(
    `UPDATE reply_outbox SET status = 'queued', claimed_by = NULL, next_attempt_at = now() + ($3::int * interval '1 millisecond'),
            attempts = CASE WHEN $4 THEN attempts ELSE attempts - 1 END
      WHERE id = $1 AND claimed_by = $2`,
    [reply.id, reply.claimedBy, Math.round(delayMs), countAttempt],
  );
}

/** Replies a dead dispatcher had claimed (or our own, long stuck) are queued again. */
export function requeueStaleReplies(db: Db, token: string, staleMs: number, ownStaleMs: number): Promise<number> {
  return requeueStaleClaims(db, 'reply_outbox', token, staleMs, ownStaleMs);
}
