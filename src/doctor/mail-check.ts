/** E-mail: the SMTP server accepts our login, and the sender and the CRM archive address are set. */
import { createSmtpTransport } from '../services/email/transport';
import type { Config } from '../config';
import { fail, ok, reason, skip, type CheckResult } from './check';

const NAME = 'e-mail';

function where(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  return `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? '465' : '587')}`;
}

function fixFor(error: { code?: string; responseCode?: number; message?: string }, smtpUrl: string): string {
  if (error.code === 'EAUTH' || error.responseCode === 535) return 'the server refused the login: check the user and password in SMTP_URL (special characters URL-encoded, e.g. @ as %40)';
  if (/STARTTLS/i.test(error.message ?? '')) return 'the server does not offer STARTTLS: use smtps:// (port 465) or a server that offers STARTTLS on port 587; mail is never sent unencrypted';
  if (error.code === 'ETLS' || /certificate|ssl|tls/i.test(error.message ?? '')) return 'the TLS handshake failed: use smtps:// for port 465 and smtp:// (STARTTLS) for port 587';
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'].includes(error.code ?? '')) return `${where(smtpUrl)} cannot be reached from here: check the host and port in SMTP_URL, and that this machine may connect to it`;
  return 'check SMTP_URL against the mail provider\'s settings (host, port, TLS, user, password)';
}

export async function checkMail(config: Config): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const { smtpUrl, from, crmArchiveBcc } = config.mail;
  if (!smtpUrl) {
    results.push(skip(NAME, `SMTP_URL not set: mails are written to ${config.dataDir}/outbox/ as .eml files (local mode)`));
  } else {
    // As production sends: STARTTLS required on smtp://, so a server without it fails here.
    const transport = createSmtpTransport(smtpUrl, true, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 });
    try {
      await transport.verify();
      const tls = new URL(smtpUrl).protocol === 'smtps:' ? 'TLS' : 'STARTTLS';
      results.push(ok(NAME, `${where(smtpUrl)} accepts the login over ${tls}${new URL(smtpUrl).username ? '' : ' (no user in SMTP_URL)'}`));
    } catch (error) {
      results.push(fail(NAME, `${where(smtpUrl)}: ${reason(error)}`, fixFor(error as { code?: string }, smtpUrl)));
    } finally {
      transport.close();
    }
  }
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  results.push(
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)
      ? ok('sender', `MAIL_FROM is ${from}`)
      : fail('sender', `MAIL_FROM "${from}" is not an e-mail address`, 'set MAIL_FROM, e.g. CBG Connect <noreply@cbgconnect.nl>'),
  );
  if (crmArchiveBcc) results.push(ok('CRM archive', `every AVG mail goes in BCC to ${crmArchiveBcc}`));
  else if (config.production || smtpUrl) results.push(fail('CRM archive', 'CRM_ARCHIVE_BCC is not set: the AVG mails are not archived in the CRM (R8)', "set CRM_ARCHIVE_BCC to the CRM's BCC logging address"));
  else results.push(skip('CRM archive', 'CRM_ARCHIVE_BCC not set (local mode)'));
  return results;
}
