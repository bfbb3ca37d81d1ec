/**
 * Applies WhatsApp status callbacks (sent/delivered/read/failed) to the delivery ledger. The
 * seam between the webhook (services/whatsapp) and the ledger: the webhook parses and hands
 * over; this module decides. Statuses never move backwards (webhooks arrive out of order).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { withDeadlockRetry } from '../../db/retry';

export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  waMessageId: string;
  /** The delivery the send carried along (biz_opaque_callback_data), for a status that outruns the send's own record. */
  deliveryId?: string | null;
  /** The recipient's WhatsApp id: a delivery found by its id must be to this number. */
  recipientId?: string | null;
  status: WhatsAppStatus;
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
 * Applies a batch in one statement; unknown ids are counted, not stored. A status finds its
 * delivery by the WhatsApp message id, or, when it comes before the dispatcher has recorded
 * that id (Meta can answer faster than our 50 ms outcome writes), by the delivery id the send
 * carried along: it then records the message id too, and the send's own record, arriving later,
 * changes nothing (it only moves rows not yet sent). That id is trusted only for a delivery
 * that was claimed (attempts > 0), has no message id yet and is to the status's recipient: the
 * number may be shared with another install (staging) whose ids mean other deliveries.
 */
export async function applyStatusUpdates(db: DataSource | EntityManager, updates: StatusUpdate[]): Promise<StatusResult> {
  if (updates.length === 0) return { applied: 0, unknown: 0 };
  const rows: { id: string; matched: boolean; changed: boolean }[] = await db.query(
    `WITH incoming AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::bigint[], $7::text[])
         AS u(wa_message_id, status, at, error_code, error_title, delivery_id, recipient_id)
     ),
     ranked AS (
       SELECT DISTINCT ON (wa_message_id) * FROM incoming
        ORDER BY wa_message_id,
                 CASE status WHEN 'failed' THEN 4 WHEN 'read' THEN 3 WHEN 'delivered' THEN 2 ELSE 1 END DESC
     ),
     targets AS (
       SELECT r.*, coalesce(
                (SELECT d.id FROM delivery d WHERE d.wa_message_id = r.wa_message_id),
                (SELECT d.id FROM delivery d
                  WHERE d.id = r.delivery_id AND d.wa_message_id IS NULL AND d.attempts > 0 AND d.phone = r.recipient_id)) AS target
         FROM ranked r
     ),
     -- Rows locked in id order, as every ledger writer does: two writers never wait on each other in a circle.
     locked AS MATERIALIZED (
       SELECT d.id FROM delivery d WHERE d.id IN (SELECT target FROM targets) ORDER BY d.id FOR UPDATE
     ),
     updated AS (
       UPDATE delivery d
          SET status = r.status::delivery_status,
              wa_message_id = r.wa_message_id,
              status_at = GREATEST(coalesce(d.status_at, r.at), r.at),
              sent_at = coalesce(d.sent_at, CASE WHEN r.status IN ('sent', 'delivered', 'read') THEN r.at END),
              delivered_at = coalesce(d.delivered_at, CASE WHEN r.status IN ('delivered', 'read') THEN r.at END),
              read_at = coalesce(d.read_at, CASE WHEN r.status = 'read' THEN r.at END),
              failed_at = CASE WHEN r.status = 'failed' THEN r.at ELSE d.failed_at END,
              error_code = CASE WHEN r.status = 'failed' THEN r.error_code ELSE d.error_code END,
              error_title = CASE WHEN r.status = 'failed' THEN left(r.error_title, 200) ELSE d.error_title END
         FROM targets r
        WHERE d.id = r.target AND d.id IN (SELECT id FROM locked)
          AND (CASE r.status WHEN 'failed' THEN 4 WHEN 'read' THEN 3 WHEN 'delivered' THEN 2 ELSE 1 END)
            > (CASE d.status::text WHEN 'failed' THEN 4 WHEN 'read' THEN 3 WHEN 'delivered' THEN 2 WHEN 'sent' THEN 1 ELSE 0 END)
       RETURNING d.id
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
    ],
  );
  return { applied: rows.filter((r) => r.changed).length, unknown: rows.filter((r) => !r.matched).length };
}

/**
 * Groups the statuses of concurrent webhook requests into one statement (3,000 callbacks a
 * second would otherwise be 3,000 transactions). Each caller's promise resolves only when its
 * statuses are committed, so the webhook answers 200 only for what is safely stored.
 */
export class StatusBatcher {
  private pending: { updates: StatusUpdate[]; resolve: (r: StatusResult) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private size = 0;

  constructor(
    private readonly db: DataSource,
    private readonly maxWaitMs = 10,
    private readonly maxBatch = 1000,
  ) {}

  add(updates: StatusUpdate[]): Promise<StatusResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ updates, resolve, reject });
      this.size += updates.length;
      if (this.size >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.size = 0;
    const updates = batch.flatMap((b) => b.updates);
    // Batches may run side by side: each locks its rows in id order, so they only queue, never deadlock.
    withDeadlockRetry(() => applyStatusUpdates(this.db, updates)).then(
      (result) => {
        // The counts are for the whole batch; each caller gets its share for its metrics.
        const total = batch.reduce((n, b) => n + b.updates.length, 0) || 1;
        for (const b of batch) {
          const share = b.updates.length / total;
          b.resolve({ applied: Math.round(result.applied * share), unknown: Math.round(result.unknown * share) });
        }
      },
      (error) => batch.forEach((b) => b.reject(error)),
    );
  }
}
