/**
 * What is kept only for a while (R14, R5; the register is docs/privacy.md): delivery records
 * lose their recipient link after RETENTION_DAYS (the ledger's forgetOldRecipients, scheduled by
 * feature.ts), sign-ups never completed are deleted after 7 days, contact counters after 2 quiet
 * days, webhook de-duplication ids once Meta can no longer redeliver them, and the personal data
 * of the past in other tables as below (forgetOldMessages).
 */
import type { DataSource, EntityManager } from 'typeorm';

type Db = DataSource | EntityManager;

/** A sent e-mail's body is kept this long for questions about it; the sha256 and the CRM copy stay. */
const SENT_MAIL_BODY_DAYS = 7;
/** A stappenplan's code is valid this long (INVITATION_DAYS, signup/invitations.ts); after it the mail's address is masked. */
const STAPPENPLAN_DAYS = 30;

/**
 * Daily: the bodies (name, company) and SMTP errors (which may quote the address) of e-mails sent
 * more than 7 days ago, or given up on longer than RETENTION_DAYS ago; the address of invitations
 * that expired unused, and of stappenplan mails whose code has expired (masked); and the staff member's name in the Teams conversation reference of
 * notices older than RETENTION_DAYS (their status cards are no longer refreshed).
 */
export async function forgetOldMessages(db: Db, retentionDays: number): Promise<{ mails: number; invitations: number; references: number }> {
  const [{ mails }]: { mails: number }[] = await db.query(
    `WITH cleared AS (
       UPDATE email_notice SET text_body = '', html_body = '', last_error = NULL
        WHERE (text_body <> '' OR html_body <> '' OR last_error IS NOT NULL)
          AND ((status = 'sent' AND sent_at < now() - ($1::int * interval '1 day'))
               OR (status = 'failed' AND created_at < now() - ($2::int * interval '1 day')))
       RETURNING 1)
     SELECT count(*)::int AS mails FROM cleared`,
    [SENT_MAIL_BODY_DAYS, retentionDays],
  );
  // The stappenplan mails are no AVG archive: once their code has expired, the address is masked (j***@example.nl).
  await db.query(
    `UPDATE email_notice SET recipient = left(recipient, 1) || '***@' || split_part(recipient, '@', 2)
      WHERE kind = 'stappenplan' AND created_at < now() - ($1::int * interval '1 day') AND recipient NOT LIKE '_***@%'`,
    [STAPPENPLAN_DAYS],
  );
  const [{ invitations }]: { invitations: number }[] = await db.query(
    `WITH cleared AS (UPDATE invitation SET email = NULL WHERE email IS NOT NULL AND status = 'open' AND expires_at < now() RETURNING 1)
     SELECT count(*)::int AS invitations FROM cleared`,
  );
  const [{ references }]: { references: number }[] = await db.query(
    `WITH cleared AS (
       UPDATE outage_message SET conversation_reference = conversation_reference - 'user'
        WHERE conversation_reference ? 'user' AND created_at < now() - ($1::int * interval '1 day')
       RETURNING 1)
     SELECT count(*)::int AS "references" FROM cleared`,
    [retentionDays],
  );
  return { mails, invitations, references };
}

/** Housekeeping: sign-ups never completed within 7 days, stale counters, old de-dup ids. */
export async function purgeStaleContacts(db: Db): Promise<{ pending: number }> {
  const [{ pending }]: { pending: number }[] = await db.query(
    `WITH gone AS (DELETE FROM subscriber WHERE status = 'pending_name' AND created_at < now() - interval '7 days' RETURNING 1)
     SELECT count(*)::int AS pending FROM gone`,
  );
  await db.query(`DELETE FROM contact_throttle WHERE updated_at < now() - interval '2 days'`);
  // A reply that could not go out for a day answers nothing any more (and Meta's 24 h window is closed).
  await db.query(`DELETE FROM reply_outbox WHERE created_at < now() - interval '24 hours' AND status = 'queued'`);
  // Meta retries a webhook for up to 7 days; ids older than that can no longer come back.
  await db.query(`DELETE FROM inbound_message WHERE received_at < now() - interval '8 days'`);
  return { pending };
}
