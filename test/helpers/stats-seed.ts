import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { Customer, Delivery, DeliveryStatus, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus, SubscriptionEvent, SubscriptionEventKind } from '../../src/entities';
import { eraseOnRequest } from '../../src/services/privacy/subscriber-requests';
import { testErasureLog } from './data-dir';

/** Seeds the figures the tab tests check: 3 active (2 + 1), 1 pending, 1 erased, one notice, one customer without a subscriber. */
export async function seedStats(db: DataSource): Promise<{ messageId: string }> {
  const [bakker, visser] = await db.getRepository(Customer).save([
    { customerNumber: 'C-1', name: 'Bakkerij De Korenschoof', regions: ['UT'] },
    { customerNumber: 'C-2', name: 'Visser Installatie', regions: ['GE'] },
    { customerNumber: 'C-3', name: 'Garage Van Dam', regions: ['ZH'], emailDomains: ['vandam.nl'] },
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
  await eraseOnRequest(db, loadConfig({ ERASURE_LOG: testErasureLog(), }, { purpose: 'local' }), '31611110004', 'staff', 'verzoek');
  return { messageId: message.id };
}

