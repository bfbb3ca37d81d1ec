/** One mail of the outbox as the playground's mailbox shows it. No imports: the browser page reads this type too. */
export interface MailboxEntry {
  id: string;
  kind: string;
  to: string;
  bcc: string | null;
  subject: string;
  text: string;
  html: string;
  status: string;
  sha256: string;
  createdAt: string;
  sentAt: string | null;
}
