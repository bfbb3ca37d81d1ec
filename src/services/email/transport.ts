/**
 * How we talk to the SMTP server, for the sender and the doctor alike. smtps:// is TLS from the
 * first byte; smtp:// upgrades with STARTTLS, and in production that upgrade is required: a
 * server that does not offer it never receives the password or an AVG mail in clear text
 * (nodemailer otherwise goes on without TLS when STARTTLS is missing).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface SmtpTimeouts {
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

/**
 * The URL is read here rather than by nodemailer: given a URL (alone or as `url` in an options
 * object), createTransport keeps only what the URL says and silently drops every other option,
 * requireTLS and the timeouts included.
 */
export function createSmtpTransport(smtpUrl: string, requireTls: boolean, timeouts: SmtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }): Transporter<{ messageId?: string; message?: unknown }> {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    ...timeouts,
    ...(requireTls && !secure ? { requireTLS: true } : {}),
  });
}
