/**
 * The staff card that shows a notice: which card it is, which need a fresh status, and which
 * instance refreshes them. One instance at a time holds the refresher's lease (renewed on every
 * pass, taken over when it lapses): N instances do not rewrite every card N times. A card is
 * rewritten only when it changed (its digest), so a paused notice's card is left alone after its
 * last change; a notice whose week of refreshes ended gets one last rewrite, without the
 * refresh clause, and is then left alone too.
 */
import type { DataSource } from 'typeorm';
import { OutageMessage } from '../../entities';

export interface CardToRefresh {
  messageId: string;
  activityId: string;
  reference: Record<string, unknown>;
  /** The digest of the card last written, null before the first rewrite. */
  digest: string | null;
}

const LEASE = 'status-card-refresher';

/**
 * Whether `holder` refreshes the cards for the next ttlMs: it takes the lease when it is free
 * or lapsed, or renews its own.
 */
export async function holdRefresherLease(dataSource: DataSource, holder: string, ttlMs: number): Promise<boolean> {
  const rows: { holder: string }[] = await dataSource.query(
    `INSERT INTO lease (name, holder, expires_at) VALUES ($1, $2, now() + ($3::int * interval '1 millisecond'))
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE lease.holder = excluded.holder OR lease.expires_at < now()
     RETURNING holder`,
    [LEASE, holder, ttlMs],
  );
  return rows.length > 0;
}

/**
 * The cards of notices whose figures may still move: sending or paused, or done within the
 * refresh period (refreshForMs) and a little after it (the last rewrite drops the refresh clause).
 */
export async function cardsToRefresh(dataSource: DataSource, refreshForMs: number): Promise<CardToRefresh[]> {
  const rows: { id: string; card_activity_id: string; conversation_reference: Record<string, unknown>; card_digest: string | null }[] = await dataSource.query(
    `SELECT id, card_activity_id, conversation_reference, card_digest FROM outage_message
      WHERE card_activity_id IS NOT NULL AND conversation_reference IS NOT NULL
        AND (status IN ('sending', 'paused') OR finished_at > now() - ($1::bigint * interval '1 millisecond') - interval '1 hour')`,
    [refreshForMs],
  );
  return rows.map((r) => ({ messageId: r.id, activityId: r.card_activity_id, reference: r.conversation_reference, digest: r.card_digest }));
}

/** The card as last written. */
export async function rememberCardDigest(dataSource: DataSource, messageId: string, digest: string): Promise<void> {
  await dataSource.getRepository(OutageMessage).update({ id: messageId }, { cardDigest: digest });
}

/** The activity id of the card that shows this notice, for later status updates. */
export async function rememberCard(dataSource: DataSource, messageId: string, activityId: string): Promise<void> {
  await dataSource.transaction(async (manager) => {
    // The card now shows this notice: an earlier notice that claimed the same activity lets go
    // (follow-ups post a card of their own; cards from before that may still share one).
    // Activity ids are unique within a conversation only.
    await manager.query(
      `UPDATE outage_message SET card_activity_id = NULL
        WHERE card_activity_id = $1 AND id <> $2
          AND conversation_reference->'conversation'->>'id' = (SELECT conversation_reference->'conversation'->>'id' FROM outage_message WHERE id = $2)`,
      [activityId, messageId],
    );
    await manager.getRepository(OutageMessage).update({ id: messageId }, { cardActivityId: activityId, cardDigest: null });
  });
}
