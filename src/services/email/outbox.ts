/**
 * The e-mail outbox (R8): a mail is first written to email_notice (in the caller's
 * transaction, with its full content and sha256), then sent by a background job that retries
 * with backoff until the SMTP server takes it. Nothing is lost when SMTP is down: the row
 * stays pending and the next flush tries again.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EmailKind, EmailNotice, EmailStatus } from '../../entities';
import type { MailContent } from './templates';

export function contentHash(mail: MailContent): string {
  return createHash('sha256').update(`${mail.subject}\n\n${mail.text}\n\n${mail.html}`, 'utf8').digest('hex');
}

/** Writes the mail to the outbox; call flushSoon() after the transaction commits. */
export async function queueEmail(manager: EntityManager, kind: EmailKind, recipient: string, mail: MailContent, bcc: string | undefined): Promise<EmailNotice> {
  return manager.getRepository(EmailNotice).save({
    kind,
    recipient,
    bcc: bcc ?? null,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    sha256: contentHash(mail),
    status: EmailStatus.Pending,
  });
}

/** Backoff after the nth failed attempt: 30 s, 1 min, 2 min ... capped at 30 min, with jitter. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(30 * 60_000, 30_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
