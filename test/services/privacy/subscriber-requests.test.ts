import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { AuditEvent, Customer, EmailNotice, Subscriber, SubscriberStatus, SubscriptionEvent } from '../../../src/entities';
import { NotFoundError } from '../../../src/http/errors';
import { correctSubscriber, eraseOnRequest, exportSubscriber, toWaId } from '../../../src/services/privacy/subscriber-requests';
import { freshDataSource } from '../../helpers/postgres';
import { testErasureLog } from '../../helpers/data-dir';

describe('subscriber requests: access, correction, erasure (R15)', () => {
  let db: DataSource;
  const config = loadConfig({ ERASURE_LOG: testErasureLog(), CRM_ARCHIVE_BCC: 'archief@crm.nl' }, { purpose: 'local' });

  before(async () => {
    db = await freshDataSource();
    const [korenschoof] = await db.getRepository(Customer).save([
      { customerNumber: 'C-1', name: 'Korenschoof' },
      { customerNumber: 'C-2', name: 'Visser BV' },
    ]);
    await db.getRepository(Subscriber).save({ phone: '31612345678', firstName: 'Hans', customerId: korenschoof.id, email: 'hans@korenschoof.nl', status: SubscriberStatus.Active });
  });
  after(async () => db.destroy());

  it('reads numbers the way staff type them', () => {
    expect(['06 12345678', '+31 6 1234 5678', '0031612345678', '31612345678'].map(toWaId)).to.deep.equal(Array(4).fill('31612345678'));
    expect(() => toWaId('hallo')).to.throw('not a phone number');
  });

  it('exports everything stored about a number, and audits it with a masked number', async () => {
    const data = await exportSubscriber(db, '06 12345678', 'staff-1');
    expect(data.subscriber).to.include({ phone: '31612345678', firstName: 'Hans', company: 'Korenschoof', email: 'hans@korenschoof.nl', status: 'active' });
    expect(data.deliveries).to.deep.equal([]);
    const audit = await db.getRepository(AuditEvent).findOneByOrFail({ action: 'subscriber.export' });
    expect(audit).to.include({ actor: 'staff-1', target: '+31 6 ****5678' });
  });

  it('corrects the first name and the company, audited', async () => {
    const corrected = await correctSubscriber(db, '+31612345678', { firstName: 'johan', customer: 'C-2' }, 'staff-2');
    expect(corrected.firstName).to.equal('Johan');
    const visser = await db.getRepository(Customer).findOneByOrFail({ customerNumber: 'C-2' });
    expect(corrected.customerId).to.equal(visser.id);
    expect(await db.getRepository(AuditEvent).countBy({ action: 'subscriber.correct', actor: 'staff-2' })).to.equal(1);
  });

  it('erases on request: the subscriber is gone, history and audit keep no personal data, the AVG e-mail is queued', async () => {
    const result = await eraseOnRequest(db, config, '0612345678', 'staff-3', 'brief van 12-11 van hans@korenschoof.nl');
    expect(result.emailQueued).to.equal(true);
    expect(await db.getRepository(Subscriber).countBy({ phone: '31612345678' })).to.equal(0);
    expect(await db.getRepository(SubscriptionEvent).countBy({ kind: 'erasure' as never })).to.equal(1);
    const audit = await db.getRepository(AuditEvent).findOneByOrFail({ action: 'subscriber.erase' });
    expect(audit.actor).to.equal('staff-3');
    expect(JSON.stringify(audit)).not.to.match(/hans@|12345678/);
    const mail = await db.getRepository(EmailNotice).findOneByOrFail({ recipient: 'hans@korenschoof.nl' });
    expect(mail.kind).to.equal('avg_opt_out');
    expect(mail.textBody).to.include('Op je verzoek');
    expect(mail.bcc).to.equal('archief@crm.nl');
  });

  it('says so when the number is not a subscriber', async () => {
    try {
      await eraseOnRequest(db, config, '0687654321', 'staff-3', 'x');
      expect.fail('expected NotFoundError');
    } catch (error) {
      expect(error).to.be.instanceOf(NotFoundError);
    }
  });
});
