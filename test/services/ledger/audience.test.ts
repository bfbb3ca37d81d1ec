import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { Customer, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus, SubscriptionEventKind } from '../../../src/entities';
import { countAudience, type Audience } from '../../../src/services/ledger/audience';
import { snapshotAudience } from '../../../src/services/ledger/delivery-ledger';
import { eraseSubscriber } from '../../../src/services/privacy/erasure';
import { testErasureLog } from '../../helpers/data-dir';
import { freshDataSource } from '../../helpers/postgres';

describe('audience snapshot (delivery ledger)', () => {
  let db: DataSource;
  let outage: Outage;

  async function newMessage(): Promise<OutageMessage> {
    return db.getRepository(OutageMessage).save({
      outageId: outage.id,
      kind: OutageMessageKind.Initial,
      text: 'Storing',
      templateParameters: ['Storing', 'internet', 'Landelijk', 'Hoog', 'Storing'],
      status: OutageMessageStatus.Sending,
      createdBy: 'staff',
    });
  }

  /** As a release does: in the transaction that sends the notice. */
  const snapshot = (messageId: string, audience: Audience) => db.transaction((manager) => snapshotAudience(manager, messageId, audience));

  before(async () => {
    db = await freshDataSource();
    const [utrecht, zeeland] = await db.getRepository(Customer).save([
      { customerNumber: 'C-1', name: 'Utrechtse BV', regions: ['UT'] },
      { customerNumber: 'C-2', name: 'Zeeuwse BV', regions: ['ZE', 'ZH'] },
    ]);
    await db.getRepository(Subscriber).save([
      { phone: '31600000001', firstName: 'An', customerId: utrecht.id, status: SubscriberStatus.Active },
      { phone: '31600000002', firstName: 'Bo', customerId: zeeland.id, status: SubscriberStatus.Active },
      // Not yet complete (R6): never in an audience.
      { phone: '31600000003', firstName: null, customerId: zeeland.id, status: SubscriberStatus.PendingName },
    ]);
    outage = await db.getRepository(Outage).save({ service: OutageService.Voip, scope: OutageScope.Landelijk, severity: OutageSeverity.Middel, createdBy: 'staff' });
  });
  after(async () => db.destroy());

  it('snapshots every active subscriber for a national notice, never a pending one', async () => {
    const message = await newMessage();
    expect(await countAudience(db.manager, { regions: null })).to.equal(2);
    expect(await snapshot(message.id, { regions: null })).to.equal(2);
    const phones = (await db.query<{ phone: string }[]>('SELECT phone FROM delivery WHERE outage_message_id = $1 ORDER BY phone', [message.id])).map((r) => r.phone);
    expect(phones).to.deep.equal(['31600000001', '31600000002']);
  });

  it('snapshots only customers with a location in the chosen provinces', async () => {
    const message = await newMessage();
    expect(await countAudience(db.manager, { regions: ['ZH', 'NH'] })).to.equal(1);
    expect(await snapshot(message.id, { regions: ['ZH', 'NH'] })).to.equal(1);
  });

  it('sends a follow-up to the same audience minus who left since', async () => {
    const first = await newMessage();
    await snapshot(first.id, { regions: null });
    const leaving = await db.getRepository(Subscriber).findOneByOrFail({ phone: '31600000002' });
    const config = loadConfig({ ERASURE_LOG: testErasureLog() }, { purpose: 'local' });
    await db.transaction((manager) => eraseSubscriber(manager, config, leaving, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber', mail: false }));
    const update = await newMessage();
    expect(await countAudience(db.manager, { regions: null, sameAudienceAs: first.id })).to.equal(1);
    expect(await snapshot(update.id, { regions: null, sameAudienceAs: first.id })).to.equal(1);
  });
});
