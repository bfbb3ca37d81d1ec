/**
 * The order a delivery's WhatsApp status moves in: queued/sending (nothing from Meta yet) <
 * sent < delivered < read, and failed is final. Meta's status callbacks arrive out of order
 * (docs/platform.md), so a status only ever moves up this order. Defined once here and used by
 * the ledger's SQL (statusRankSql) and by TypeScript (statusRank) alike.
 */
export const STATUS_RANK = { queued: 0, sending: 0, cancelled: 0, sent: 1, delivered: 2, read: 3, failed: 4 } as const;

export type RankedStatus = keyof typeof STATUS_RANK;

/** The rank of a status; anything unknown counts as nothing received yet. */
export function statusRank(status: string): number {
  return (STATUS_RANK as Record<string, number>)[status] ?? 0;
}

/**
 * The same order as a SQL expression over a text expression. The SQL is built from the
 * constant table above only (never from input), so it is as safe as a literal.
 */
export function statusRankSql(expression: string): string {
  const ranked = Object.entries(STATUS_RANK).filter(([, rank]) => rank > 0);
  return `(CASE ${expression} ${ranked.map(([status, rank]) => `WHEN '${status}' THEN ${rank}`).join(' ')} ELSE 0 END)`;
}

/**
 * The statuses a delivery has when it got at least as far as `status` on the way to read
 * (failed is not on that way), as a SQL list: `reachedSql('delivered')` is "('delivered', 'read')".
 */
export function reachedSql(status: 'sent' | 'delivered' | 'read'): string {
  const reached = Object.entries(STATUS_RANK).filter(([name, rank]) => rank >= STATUS_RANK[status] && name !== 'failed');
  return `(${reached.map(([name]) => `'${name}'`).join(', ')})`;
}
