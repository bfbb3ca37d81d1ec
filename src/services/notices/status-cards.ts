/** Which staff cards need a fresh status: notices sending, paused, or finished moments ago. */
import type { DataSource } from 'typeorm';

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
