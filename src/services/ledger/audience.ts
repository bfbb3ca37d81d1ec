/**
 * The audience snapshot of a notice: one delivery row per recipient, written with one
 * INSERT ... SELECT inside the caller's transaction (so a notice and its deliveries exist
 * together or not at all). Only active subscribers are ever selected (R3, R6).
 */
import type { EntityManager } from 'typeorm';

export interface Audience {
  /** Province codes; null = every active subscriber (landelijk). */
  regions: string[] | null;
  /**
   * For follow-ups (update/opgelost): only the recipients of this earlier message who are
   * still active (anyone who opted out since is gone from subscriber, so drops out).
   */
  sameAudienceAs?: string;
}

/** Inserts the deliveries for outageMessageId; returns how many recipients it has. */
export async function snapshotAudience(manager: EntityManager, outageMessageId: string, audience: Audience): Promise<number> {
  if (audience.sameAudienceAs) {
    const [row]: { count: number }[] = await manager.query(
      `WITH inserted AS (
         INSERT INTO delivery (outage_message_id, subscriber_id, phone)
         SELECT $1, s.id, s.phone
           FROM subscriber s
          WHERE s.status = 'active'
            AND s.id IN (SELECT d.subscriber_id FROM delivery d WHERE d.outage_message_id = $2 AND d.subscriber_id IS NOT NULL)
         RETURNING 1)
       SELECT count(*)::int AS count FROM inserted`,
      [outageMessageId, audience.sameAudienceAs],
    );
    return row.count;
  }
  const result: { count: number }[] = await manager.query(
    `WITH inserted AS (
       INSERT INTO delivery (outage_message_id, subscriber_id, phone)
       SELECT $1, s.id, s.phone
         FROM subscriber s
         JOIN customer c ON c.id = s.customer_id
        WHERE s.status = 'active'
          AND ($2::text[] IS NULL OR c.regions && $2::text[])
       RETURNING 1)
     SELECT count(*)::int AS count FROM inserted`,
    [outageMessageId, audience.regions],
  );
  return result[0].count;
}

/** How many recipients a snapshot would have now (for the preview). */
export async function countAudience(manager: EntityManager, audience: Audience): Promise<number> {
  if (audience.sameAudienceAs) {
    const [row] = await manager.query(
      `SELECT count(*)::int AS count FROM subscriber s
        WHERE s.status = 'active'
          AND s.id IN (SELECT d.subscriber_id FROM delivery d WHERE d.outage_message_id = $1 AND d.subscriber_id IS NOT NULL)`,
      [audience.sameAudienceAs],
    );
    return row.count;
  }
  const [row] = await manager.query(
    `SELECT count(*)::int AS count FROM subscriber s JOIN customer c ON c.id = s.customer_id
      WHERE s.status = 'active' AND ($1::text[] IS NULL OR c.regions && $1::text[])`,
    [audience.regions],
  );
  return row.count;
}
