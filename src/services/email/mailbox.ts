/**
 * The outbox read back as a mailbox, newest first: what the local playground shows beside the
 * phones (every stappenplan and AVG notice with its text, HTML, BCC and send status).
 */
import type { DataSource } from 'typeorm';
import { EmailNotice } from '../../entities';
import type { MailboxEntry } from './mailbox-entry';

export type { MailboxEntry };

export async function readMailbox(dataSource: DataSource, limit = 50): Promise<MailboxEntry[]> {
  const rows = await dataSource.getRepository(EmailNotice).find({ order: { createdAt: 'DESC' }, take: limit });
  return rows.map((m) => ({
    id: m.id,
    kind: m.kind,
    to: m.recipient,
    bcc: m.bcc,
    subject: m.subject,
    text: m.textBody,
    html: m.htmlBody,
    status: m.status,
    sha256: m.sha256,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
  }));
}
