import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { Customer, Subscriber, SubscriberStatus } from '../../../src/entities';
import { forgetOldRecipients } from '../../../src/services/ledger/delivery-ledger';
import { purgeStaleContacts } from '../../../src/services/privacy/retention';
import { loadStats } from '../../../src/services/stats/stats';
import { seedSubscribers, startBroadcast } from '../../helpers/broadcast';
import { freshDataSource } from '../../helpers/postgres';

describe('retention (R14, R5)', () => {
  let db: DataSource;

  before(async () => {
    db = await freshDataSource();
  });
  after(async () => db.destroy());

  it('removes the number and subscriber link after RETENTION_DAYS and keeps the anonymous counts', async () => {
    await seedSubscribers(db, 3, 31695000000);
    const old = await startBroadcast(db);
    const recent = await startBroadcast(db);
    await db.query(`UPDATE delivery SET status = 'delivered', delivered_at = now() WHERE true`);
    await db.query(`UPDATE outage_message SET released_at = now() WHERE true`);
    await db.query(`UPDATE delivery SET created_at = now() - interval '184 days' WHERE outage_message_id = $1`, [old]);
    await db.query(`UPDATE outage_message SET released_at = now() - interval '184 days' WHERE id = $1`, [old]);

    expect(await forgetOldRecipients(db, 183, 'test-key')).to.equal(3);
    const rows: { outage_message_id: string; phone: string | null; subscriber_id: string | null }[] = await db.query('SELECT outage_message_id, phone, subscriber_id FROM delivery');
    expect(rows.filter((r) => r.outage_message_id === old).every((r) => r.phone === null && r.subscriber_id === null)).to.equal(true);
    expect(rows.filter((r) => r.outage_message_id === recent).every((r) => r.phone !== null && r.subscriber_id !== null)).to.equal(true);
    const stats = await loadStats(db);
    expect(stats.outages.find((o) => o.id === old)).to.include({ recipients: 3, delivered: 3 });
    expect(await forgetOldRecipients(db, 183, 'test-key')).to.equal(0);
    // Done with: later nights do not read the notice's rows again.
    const marked: { id: string }[] = await db.query('SELECT id FROM outage_message WHERE recipients_forgotten_at IS NOT NULL');
    expect(marked.map((m) => m.id)).to.deep.equal([old]);
  });

  it('deletes sign-ups that were never completed within 7 days', async () => {
    const customer = await db.getRepository(Customer).save({ customerNumber: 'C-1', name: 'Bakker', regions: ['UT'] });
    await db.getRepository(Subscriber).save({ phone: '31600000002', firstName: null, customerId: customer.id, status: SubscriberStatus.PendingName });
    await db.query(`UPDATE subscriber SET created_at = now() - interval '8 days' WHERE status = 'pending_name'`);
    const active = await db.getRepository(Subscriber).countBy({ status: SubscriberStatus.Active });
    expect(await purgeStaleContacts(db)).to.deep.equal({ pending: 1 });
    expect(await db.getRepository(Subscriber).countBy({ status: SubscriberStatus.PendingName })).to.equal(0);
    expect(await db.getRepository(Subscriber).countBy({ status: SubscriberStatus.Active })).to.equal(active);
    expect(active).to.be.greaterThan(0);
  });
});
