/**
 * Which ledger rows an erasure unlinks (R11, R15): the subscriber's own, and those a merge left
 * without a subscriber that carry their number or user id; not the rows of another, still
 * subscribed person that carry this number from before their change of number.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { unlinkSubscriber } from '../../../src/services/ledger/delivery-ledger';
import { freshDataSource } from '../../helpers/postgres';

describe('ledger: the rows an erasure unlinks', () => {
  let db: DataSource;

  before(async () => {
    db = await freshDataSource();
  });
  after(async () => db.destroy());

  it("unlinks the subscriber's rows and a merge's orphans with their number or user id, and leaves another subscriber's old-number rows", async () => {
    const [customer]: { id: string }[] = await db.query(`INSERT INTO customer (customer_number, name, regions) VALUES ('U-1', 'Unlink BV', '{UT}') RETURNING id`);
    const [leaving]: { id: string }[] = await db.query(`INSERT INTO subscriber (phone, user_id, first_name, customer_id, status) VALUES ('31611111111', 'NL.111', 'Anna', $1, 'active') RETURNING id`, [customer.id]);
    const [staying]: { id: string }[] = await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) VALUES ('31622222222', 'Bram', $1, 'active') RETURNING id`, [customer.id]);
    const rows: [string, string | null, string | null, string | null][] = [
      ['own', leaving.id, '31611111111', 'NL.111'],
      ['orphan by number', null, '31611111111', null],
      ['orphan by user id', null, null, 'NL.111'],
      // Bram's, sent when 31611111111 was still his number.
      ['another subscriber', staying.id, '31611111111', null],
      ['stranger orphan', null, '31633333333', null],
    ];
    for (const [label, subscriberId, phone, userId] of rows) {
      await db.query(`INSERT INTO delivery (outage_message_id, subscriber_id, phone, user_id, status, wa_message_id) VALUES (gen_random_uuid(), $1, $2, $3, 'delivered', $4)`, [subscriberId, phone, userId, `wamid.${label}`]);
    }

    await db.transaction((manager) => unlinkSubscriber(manager, { id: leaving.id, phone: '31611111111', userId: 'NL.111' }, 'the-key'));

    const after: { wa_message_id: string; named: boolean }[] = await db.query(`SELECT wa_message_id, (subscriber_id IS NOT NULL OR phone IS NOT NULL OR user_id IS NOT NULL) AS named FROM delivery`);
    const named = (label: string) => after.find((row) => row.wa_message_id === `wamid.${label}`)?.named ?? false;
    expect(after.filter((row) => row.wa_message_id.startsWith('h:'))).to.have.length(3);
    expect(['own', 'orphan by number', 'orphan by user id'].map(named)).to.deep.equal([false, false, false]);
    expect(named('another subscriber')).to.equal(true);
    expect(named('stranger orphan')).to.equal(true);
  });
});
