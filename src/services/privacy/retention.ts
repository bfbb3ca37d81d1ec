/**
 * What is kept only for a while (R14, R5): delivery records lose their recipient link after
 * RETENTION_DAYS (the ledger's forgetOldRecipients, scheduled by feature.ts), sign-ups never completed are deleted after
 * 7 days, contact counters after 2 quiet days, and webhook de-duplication ids once Meta can no
 * longer redeliver them.
 */
import type { DataSource, EntityManager } from 'typeorm';

type Db = DataSource | EntityManager;

/** Housekeeping: sign-ups never completed within 7 days, stale counters, old de-dup ids. */
export async function purgeStaleContacts(db: Db): Promise<{ pending: number }> {
  const [{ pending }]: { pending: number }[] = await db.query(
    `WITH gone AS (DELETE FROM subscriber WHERE status = 'pending_name' AND created_at < now() - interval '7 days' RETURNING 1)
     SELECT count(*)::int AS pending FROM gone`,
  );
  await db.query(`DELETE FROM contact_throttle WHERE updated_at < now() - interval '2 days'`);
  // Meta retries a webhook for up to 7 days; ids older than that can no longer come back.
  await db.query(`DELETE FROM inbound_message WHERE received_at < now() - interval '8 days'`);
  return { pending };
}
