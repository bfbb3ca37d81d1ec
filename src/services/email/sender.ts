/**
 * Sends what the outbox holds: claims due rows (SKIP LOCKED, so several instances can flush at
 * once without sending a mail twice), hands them to nodemailer, records the SMTP message id or
 * the failure and the next attempt. Without SMTP_URL mails are written as .eml files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../logger';
import { retryDelayMs } from './outbox';
import { createSmtpTransport } from './transport';

export interface MailSettings {
  smtpUrl: string | undefined;
  /** STARTTLS must succeed on smtp:// (production). */
  requireTls: boolean;
  from: string;
  outboxDir: string;
}

interface DueNotice {
  id: string;
  recipient: string;
  bcc: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
}

export class EmailSender {
  private readonly transport: Transporter<{ messageId?: string; message?: unknown }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: MailSettings,
    private readonly logger: Logger,
  ) {
    this.transport = settings.smtpUrl
      ? createSmtpTransport(settings.smtpUrl, settings.requireTls)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** Sends every due mail; returns how many went out. */
  async flush(batchSize = 20): Promise<number> {
    let sent = 0;
    for (;;) {
      const due = await this.claim(batchSize);
      if (due.length === 0) return sent;
      for (const notice of due) if (await this.sendOne(notice)) sent += 1;
    }
  }

  close(): void {
    this.transport.close();
  }

  /**
   * Claims due rows by pushing their next attempt out: a crash mid-send retries them later.
   * (Wrapped in a CTE so TypeORM returns plain rows, as for a SELECT.)
   */
  private claim(limit: number): Promise<DueNotice[]> {
    return this.dataSource.query(
      `WITH claimed AS (
         UPDATE email_notice SET next_attempt_at = now() + interval '5 minutes'
          WHERE id IN (SELECT id FROM email_notice WHERE status = 'pending' AND next_attempt_at <= now()
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING id, recipient, bcc, subject, text_body, html_body, attempts)
       SELECT * FROM claimed`,
      [limit],
    );
  }

  private async sendOne(notice: DueNotice): Promise<boolean> {
    try {
      const info = await this.transport.sendMail({
        from: this.settings.from,
        to: notice.recipient,
        ...(notice.bcc ? { bcc: notice.bcc } : {}),
        subject: notice.subject,
        text: notice.text_body,
        html: notice.html_body,
        headers: { 'X-Storingsmelder-Notice': notice.id },
      });
      if (!this.settings.smtpUrl) this.writeEml(notice.id, info.message as Buffer);
      await this.dataSource.query(
        `UPDATE email_notice SET status = 'sent', attempts = attempts + 1, sent_at = now(), smtp_message_id = $2, last_error = NULL WHERE id = $1`,
        [notice.id, info.messageId ?? null],
      );
      this.logger.info({ notice: notice.id }, 'e-mail sent');
      return true;
    } catch (error) {
      const attempts = notice.attempts + 1;
      const message = String((error as Error).message ?? error).slice(0, 500);
      await this.dataSource.query(
        `UPDATE email_notice SET attempts = $2, last_error = $3, next_attempt_at = now() + ($4::int * interval '1 millisecond') WHERE id = $1`,
        [notice.id, attempts, message, retryDelayMs(attempts)],
      );
      this.logger.warn({ notice: notice.id, attempts, err: error }, 'e-mail not sent; will retry');
      return false;
    }
  }

  private writeEml(id: string, message: Buffer): void {
    mkdirSync(this.settings.outboxDir, { recursive: true });
    writeFileSync(path.join(this.settings.outboxDir, `${id}.eml`), message);
  }
}
