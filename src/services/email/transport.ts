/**
 * How we talk to the SMTP server, for the sender and the doctor alike. smtps:// is TLS from the
 * first byte; smtp:// upgrades with STARTTLS, and in production that upgrade is required: a
 * server that does not offer it never receives the password or an AVG mail in clear text
 * (nodemailer otherwise goes on without TLS when STARTTLS is missing).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export function createSmtpTransport(smtpUrl: string, requireTls: boolean, timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }): Transporter<{ messageId?: string; message?: unknown }> {
  const starttls = new URL(smtpUrl).protocol === 'smtp:';
  return nodemailer.createTransport(smtpUrl, { ...timeouts, ...(requireTls && starttls ? { requireTLS: true } : {}) });
}
