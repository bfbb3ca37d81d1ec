/** The staff card that shows a notice: which card it is, and which need a fresh status. */
import type { DataSource } from 'typeorm';
import { OutageMessage } from '../../entities';

export interface CardToRefresh {
  messageId: string;
  activityId: string;
  reference: Record<string, unknown>;
}

export async function cardsToRefresh(dataSource: DataSource, recentMs: number): Promise<CardToRefresh[]> {
  const rows: { id: string; card_activity_id: string; conversation_reference: Record<string, unknown> }[] = await dataSource.query(
    `SELECT id, card_activity_id, conversation_reference FROM outage_message
      WHERE card_activity_id IS NOT NULL AND conversation_reference IS NOT NULL
        AND (status IN ('sending', 'paused') OR finished_at > now() - ($1::int * interval '1 millisecond'))`,
    [recentMs],
  );
  return rows.map((r) => ({ messageId: r.id, activityId: r.card_activity_id, reference: r.conversation_reference }));
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
    await manager.getRepository(OutageMessage).update({ id: messageId }, { cardActivityId: activityId });
  });
}
