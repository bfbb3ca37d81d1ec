import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { forgetOldRecipients } from '../../../src/services/dispatcher/ledger-sql';
import { loadStats } from '../../../src/services/stats/stats';
import { seedSubscribers, startBroadcast } from '../../helpers/broadcast';
import { freshDataSource } from '../../helpers/postgres';

describe('retention of recipient links (R14)', () => {
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

    expect(await forgetOldRecipients(db, 183)).to.equal(3);
    const rows: { outage_message_id: string; phone: string | null; subscriber_id: string | null }[] = await db.query('SELECT outage_message_id, phone, subscriber_id FROM delivery');
    expect(rows.filter((r) => r.outage_message_id === old).every((r) => r.phone === null && r.subscriber_id === null)).to.equal(true);
    expect(rows.filter((r) => r.outage_message_id === recent).every((r) => r.phone !== null && r.subscriber_id !== null)).to.equal(true);
    const stats = await loadStats(db);
    expect(stats.outages.find((o) => o.id === old)).to.include({ recipients: 3, delivered: 3 });
    expect(await forgetOldRecipients(db, 183)).to.equal(0);
  });
});
