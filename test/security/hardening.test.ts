/**
 * Small hardening, each a test that fails without its fix: /metrics behind a bearer token, the
 * tab's headers, the template sanitizer, phone masking, linear-time parsing of what strangers
 * type, and e-mail that never goes out (nor logs in) without TLS in production.
 */
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { EmailSender } from '../../src/services/email/sender';
import { maskPersonalData } from '../../src/lib/mask';
import { sanitizeParameter } from '../../src/services/notices/notice-template';
import { readFirstName } from '../../src/services/registry/first-name';
import { readOptIn } from '../../src/services/signup/opt-in-text';
import { readIntent } from '../../src/services/signup/opt-out-text';
import { queueEmail } from '../../src/services/email/outbox';
import { EmailKind } from '../../src/entities';
import { memoryLogger } from '../helpers/logger';
import { freshDataSource } from '../helpers/postgres';
import { startService, type TestService } from '../helpers/service';
import { TestSmtpServer } from '../helpers/smtp';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('security: hardening', function () {
  this.timeout(30_000);

  describe('/metrics and /tab', () => {
    let service: TestService;
    afterEach(async () => {
      await service.app.close();
      await service.database.close();
    });

    it('serves /metrics only with the bearer token METRICS_TOKEN', async () => {
      service = await startService({ METRICS_TOKEN: TOKEN });
      const get = (authorization?: string) => fetch(`${service.base}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
      expect((await get()).status).to.equal(401);
      expect((await get('Bearer wrong-token-0123456789')).status).to.equal(401);
      const ok = await get(`Bearer ${TOKEN}`);
      expect(ok.status).to.equal(200);
      expect(await ok.text()).to.include('http_requests_total');
    });

    it('sends the tab with nosniff and a CSP that forbids <base> and lets teams-js fetch its host list', async () => {
      service = await startService();
      const res = await fetch(`${service.base}/tab`);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).to.include("base-uri 'none'");
      expect(csp).to.include('connect-src ');
      expect(csp).to.include('https://res.cdn.office.net');
      expect(csp).to.match(/frame-ancestors [^;]*teams\.microsoft\.com/);
    });
  });

  it('flattens every Unicode line and paragraph separator and no-break-space run in template parameters (132018)', () => {
    expect(sanitizeParameter('Storing\u2028in Utrecht\u2029sinds 9:00\u0085nu\u00a0\u00a0\u00a0\u00a0\u00a0opgelost\u202f\u202f\u202f\u202f\u202fklaar')).to.equal('Storing in Utrecht sinds 9:00 nu opgelost klaar');
    expect(sanitizeParameter('a\r\n\tb     c')).to.equal('a b c');
  });

  it('masks phone numbers written with dots, brackets and +31 (0)6', () => {
    for (const written of ['06.12.34.56.78', '(06) 1234 5678', '+31 (0)6 12345678', '+31 6 1234 5678', '0612345678']) {
      expect(maskPersonalData(`bel ${written} terug`), written).to.equal('bel +31 6 ****5678 terug');
    }
    expect(maskPersonalData('wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI')).to.equal('wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI');
  });

  it('parses 100,000 adversarial characters in linear time: under 50 ms for each reader', () => {
    const n = 100_000;
    const inputs = ['a'.repeat(n), 'a '.repeat(n / 2), 'wil '.repeat(n / 4), 'code '.repeat(n / 5), 'aaaa-'.repeat(n / 5), 'é'.repeat(n), 'Ja ik wil storingsberichten van CBG Connect ontvangen. '.repeat(n / 55), 'ik ben '.repeat(n / 7)];
    const readers: [string, (text: string) => unknown][] = [['readOptIn', readOptIn], ['readIntent', readIntent], ['readFirstName', readFirstName]];
    for (const [name, read] of readers) {
      for (const input of inputs) {
        // The best of three runs: a garbage collection in one of them is not the parser's time.
        const times = [0, 1, 2].map(() => {
          const started = process.hrtime.bigint();
          read(input);
          return Number(process.hrtime.bigint() - started) / 1e6;
        });
        expect(Math.min(...times), `${name} on ${JSON.stringify(input.slice(0, 12))}…`).to.be.below(50);
      }
    }
  });

  describe('e-mail in production', () => {
    let db: DataSource;
    let smtp: TestSmtpServer;
    before(async () => {
      db = await freshDataSource();
      smtp = new TestSmtpServer({ user: 'storingsmelder', pass: 'smtp-password-123' });
      await smtp.start();
    });
    after(async () => {
      await smtp.stop();
      await db.destroy();
    });

    it('never sends the password or a mail to a server that does not offer STARTTLS: the mail waits', async () => {
      await db.transaction((manager) => queueEmail(manager, EmailKind.AvgOptIn, 'anna@bakker.nl', { subject: 'AVG', text: 'tekst', html: '<p>tekst</p>' }, undefined));
      const sender = new EmailSender(db, { smtpUrl: smtp.urlWith(), requireTls: true, from: 'x@cbgconnect.nl', outboxDir: '/nonexistent' }, memoryLogger().logger);
      try {
        expect(await sender.flush()).to.equal(0);
      } finally {
        sender.close();
      }
      expect(smtp.received).to.deep.equal([]);
      expect(smtp.logins).to.equal(0);
      const [{ status }]: { status: string }[] = await db.query(`SELECT status::text AS status FROM email_notice`);
      expect(status).to.equal('pending');
    });
  });
});
