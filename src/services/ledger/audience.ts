/**
 * Who a notice goes to, defined once: the preview's count and the snapshot's insert
 * (delivery-ledger.ts) select from the same FROM ... WHERE, so they cannot drift apart.
 * Only active subscribers are ever selected (R3, R6); the dispatcher's claim and the orphan
 * clean-up use the same REACHABLE condition at send time (R11: whoever left since drops out).
 */
import type { DataSource, EntityManager } from 'typeorm';

export interface Audience {
  /** Province codes; null = every active subscriber (landelijk). */
  regions: string[] | null;
  /**
   * For follow-ups (update/opgelost): only the recipients of this earlier message who are
   * still active (anyone who opted out since is gone from subscriber, so drops out).
   */
  sameAudienceAs?: string;
  /**
   * With sameAudienceAs: also whoever became active in the regions after this moment (when that
   * earlier message went out): they live with the outage too, and must hear it was resolved.
   */
  joinedSince?: Date;
}

/** A subscriber row `s` that may receive notices now. */
export const REACHABLE = `s.status = 'active'`;

/**
 * The audience as a FROM ... WHERE over `subscriber s`, with its parameters numbered from
 * firstParam (the caller's own parameters come first).
 */
export function audienceQuery(audience: Audience, firstParam: number): { from: string; params: unknown[] } {
  const p = `$${firstParam}`;
  if (audience.sameAudienceAs) {
    const q = `$${firstParam + 1}`;
    const r = `$${firstParam + 2}`;
    return {
      from: `FROM subscriber s
            WHERE ${REACHABLE}
              AND (s.id IN (SELECT d.subscriber_id FROM delivery d WHERE d.outage_message_id = ${p} AND d.subscriber_id IS NOT NULL)
                   OR (${q}::timestamptz IS NOT NULL AND s.activated_at > ${q}::timestamptz
                       AND EXISTS (SELECT 1 FROM customer c WHERE c.id = s.customer_id AND (${r}::text[] IS NULL OR c.regions && ${r}::text[]))))`,
      params: [audience.sameAudienceAs, audience.joinedSince ?? null, audience.regions],
    };
  }
  return {
    from: `FROM subscriber s JOIN customer c ON c.id = s.customer_id
          WHERE ${REACHABLE} AND (${p}::text[] IS NULL OR c.regions && ${p}::text[])`,
    params: [audience.regions],
  };
}

/** How many recipients a snapshot would have now (for the preview). */
export async function countAudience(db: DataSource | EntityManager, audience: Audience): Promise<number> {
  const { from, params } = audienceQuery(audience, 1);
  const [row]: { count: number }[] = await db.query(`SELECT count(*)::int AS count ${from}`, params);
  return row.count;
}
