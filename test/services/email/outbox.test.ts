import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { EmailKind, EmailNotice, EmailStatus } from '../../../src/entities';
import { contentHash, queueEmail } from '../../../src/services/email/outbox';
import { EmailSender } from '../../../src/services/email/sender';
import { avgOptInMail } from '../../../src/services/email/templates';
import { memoryLogger } from '../../helpers/logger';
import { freshDataSource } from '../../helpers/postgres';
import { TestSmtpServer } from '../../helpers/smtp';

const mail = avgOptInMail({ firstName: 'Iris', companyName: 'Visser BV', supportEmail: 'support@cbgconnect.nl', retentionMonths: 6, sendWindow: 'op werkdagen tussen 8:30 en 17:00 uur' });

describe('e-mail outbox (R8)', () => {
  let db: DataSource;
  let smtp: TestSmtpServer;

  before(async () => {
    db = await freshDataSource();
    smtp = new TestSmtpServer();
    await smtp.start();
  });
  after(async () => {
    await smtp.stop();
    await db.destroy();
  });

  it('keeps a mail while SMTP is down and delivers it once, archived once, when SMTP is back', async () => {
    const sender = new EmailSender(db, { smtpUrl: smtp.url, requireTls: false, from: 'CBG Connect <noreply@cbgconnect.nl>', outboxDir: '/nonexistent' }, memoryLogger().logger);
    const notice = await queueEmail(db.manager, EmailKind.AvgOptIn, 'iris@visser.nl', mail, 'archief@crm.nl');
    smtp.refuse = true;
    expect(await sender.flush()).to.equal(0);
    let row = await db.getRepository(EmailNotice).findOneByOrFail({ id: notice.id });
    expect(row).to.include({ status: EmailStatus.Pending, attempts: 1 });
    expect(row.lastError).to.match(/421/);
    expect(row.nextAttemptAt.getTime()).to.be.greaterThan(Date.now());

    // An hour later (the retry is due) SMTP answers again.
    smtp.refuse = false;
    await db.query(`UPDATE email_notice SET next_attempt_at = now() WHERE id = $1`, [notice.id]);
    expect(await sender.flush()).to.equal(1);
    expect(await sender.flush()).to.equal(0);
    await smtp.waitFor(1);
    expect(smtp.received).to.have.length(1);
    expect(smtp.received[0].envelopeTo).to.have.members(['iris@visser.nl', 'archief@crm.nl']);
    row = await db.getRepository(EmailNotice).findOneByOrFail({ id: notice.id });
    expect(row).to.include({ status: EmailStatus.Sent, attempts: 2, sha256: contentHash(mail), lastError: null });
    expect(row.smtpMessageId).to.match(/^<.+@.+>$/);
    expect(await db.getRepository(EmailNotice).countBy({ recipient: 'iris@visser.nl' })).to.equal(1);
    sender.close();
  });

  it('never sends a mail twice when two instances flush at once', async () => {
    const a = new EmailSender(db, { smtpUrl: smtp.url, requireTls: false, from: 'x@cbgconnect.nl', outboxDir: '/nonexistent' }, memoryLogger().logger);
    const b = new EmailSender(db, { smtpUrl: smtp.url, requireTls: false, from: 'x@cbgconnect.nl', outboxDir: '/nonexistent' }, memoryLogger().logger);
    const before = smtp.received.length;
    for (let i = 0; i < 10; i++) await queueEmail(db.manager, EmailKind.AvgOptIn, `p${i}@visser.nl`, mail, undefined);
    const [sentA, sentB] = await Promise.all([a.flush(2), b.flush(2)]);
    expect(sentA + sentB).to.equal(10);
    // flush() returns once the SMTP server has accepted what it sent: every mail, and any duplicate, is in by now.
    await smtp.waitFor(before + 10);
    const recipients = smtp.received.slice(before).map((m) => m.envelopeTo[0]);
    expect(recipients).to.have.length(10);
    expect(recipients.sort()).to.deep.equal(Array.from({ length: 10 }, (_v, i) => `p${i}@visser.nl`).sort());
    a.close();
    b.close();
  });

  it('writes .eml files under the outbox folder when no SMTP_URL is set', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
    try {
      const sender = new EmailSender(db, { smtpUrl: undefined, requireTls: false, from: 'x@cbgconnect.nl', outboxDir: dir }, memoryLogger().logger);
      const notice = await queueEmail(db.manager, EmailKind.AvgOptIn, 'jan@visser.nl', mail, 'archief@crm.nl');
      await sender.flush();
      const file = path.join(dir, `${notice.id}.eml`);
      expect(existsSync(file), readdirSync(dir).join(',')).to.equal(true);
      const eml = readFileSync(file, 'utf8');
      expect(eml).to.match(/^To: jan@visser\.nl$/m);
      expect(eml).to.include('Subject: Privacybericht');
      const row = await db.getRepository(EmailNotice).findOneByOrFail({ id: notice.id });
      expect(row.status).to.equal(EmailStatus.Sent);
      expect(row.bcc).to.equal('archief@crm.nl');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
