import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { Customer, Delivery, DeliveryStatus, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus, SubscriptionEvent, SubscriptionEventKind } from '../../src/entities';
import { loadStats } from '../../src/services/stats';
import { eraseOnRequest } from '../../src/services/subscriber-requests';
import { freshDataSource } from '../helpers/postgres';

/** Seeds the figures the tab tests check: 3 active (2 + 1), 1 pending, 1 erased, one notice. */
export async function seedStats(db: DataSource): Promise<{ messageId: string }> {
  const [bakker, visser] = await db.getRepository(Customer).save([
    { customerNumber: 'C-1', name: 'Bakkerij De Korenschoof', regions: ['UT'] },
    { customerNumber: 'C-2', name: 'Visser Installatie', regions: ['GE'] },
  ]);
  const subscribers = await db.getRepository(Subscriber).save([
    { phone: '31611110001', firstName: 'A', customerId: bakker.id, status: SubscriberStatus.Active, email: 'a@k.nl' },
    { phone: '31611110002', firstName: 'B', customerId: bakker.id, status: SubscriberStatus.Active },
    { phone: '31611110003', firstName: 'C', customerId: visser.id, status: SubscriberStatus.Active },
    { phone: '31611110004', firstName: 'D', customerId: visser.id, status: SubscriberStatus.Active },
    { phone: '31611110005', firstName: null, customerId: visser.id, status: SubscriberStatus.PendingName },
  ]);
  await db.getRepository(SubscriptionEvent).save([
    ...subscribers.slice(0, 4).map((s) => ({ kind: SubscriptionEventKind.OptIn, customerId: s.customerId })),
    { kind: SubscriptionEventKind.OptIn, customerId: visser.id, occurredAt: new Date(Date.now() - 14 * 24 * 3600 * 1000) },
  ]);
  const outage = await db.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 's' });
  const released = new Date(Date.now() - 600_000);
  const message = await db.getRepository(OutageMessage).save({ outageId: outage.id, kind: OutageMessageKind.Initial, text: 't', templateParameters: [], status: OutageMessageStatus.Done, createdBy: 's', releasedAt: released });
  const at = (s: number) => new Date(released.getTime() + s * 1000);
  await db.getRepository(Delivery).save([
    { outageMessageId: message.id, subscriberId: subscribers[0].id, phone: subscribers[0].phone, status: DeliveryStatus.Read, deliveredAt: at(5), readAt: at(60) },
    { outageMessageId: message.id, subscriberId: subscribers[1].id, phone: subscribers[1].phone, status: DeliveryStatus.Delivered, deliveredAt: at(8) },
    { outageMessageId: message.id, subscriberId: subscribers[2].id, phone: subscribers[2].phone, status: DeliveryStatus.Sent },
    { outageMessageId: message.id, subscriberId: subscribers[3].id, phone: subscribers[3].phone, status: DeliveryStatus.Failed, errorCode: 131026 },
  ]);
  // One subscriber is erased on request: gone from the counts, still in the history.
  await eraseOnRequest(db, loadConfig({}), '31611110004', 'staff', 'verzoek');
  return { messageId: message.id };
}

describe('management figures (/api/stats)', () => {
  let db: DataSource;
  let messageId: string;

  before(async () => {
    db = await freshDataSource();
    ({ messageId } = await seedStats(db));
  });
  after(async () => db.destroy());

  it('counts active and pending subscribers and active per company', async () => {
    const stats = await loadStats(db);
    expect(stats.subscribers).to.deep.equal({ active: 3, pending: 1 });
    expect(stats.byCompany).to.deep.equal([
      { customer: 'Bakkerij De Korenschoof', customerNumber: 'C-1', active: 2 },
      { customer: 'Visser Installatie', customerNumber: 'C-2', active: 1 },
    ]);
  });

  it('keeps the erased subscriber in the weekly history, without personal data', async () => {
    const stats = await loadStats(db);
    expect(stats.history).to.have.length(26);
    const thisWeek = stats.history[25];
    expect(thisWeek).to.include({ optIns: 4, optOuts: 1, active: 3 });
    expect(stats.history[23]).to.include({ optIns: 1, optOuts: 0 });
    expect(stats.history[24].active).to.equal(0);
    expect(thisWeek.week).to.match(/^\d{4}-W\d{2}$/);
    expect(JSON.stringify(stats)).not.to.match(/3161111000|a@k\.nl/);
  });

  it('gives each recent notice its delivery funnel', async () => {
    const [notice] = (await loadStats(db)).outages;
    expect(notice).to.include({ id: messageId, kind: 'initial', recipients: 4, sent: 3, delivered: 2, read: 1, failed: 1, secondsTo95Delivered: null });
  });
});
