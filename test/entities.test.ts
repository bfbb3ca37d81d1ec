import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { Customer, Delivery, DeliveryStatus, InboundMessage, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus, SubscriptionEventKind } from '../src/entities';
import { freshDataSource } from './helpers/postgres';
import { testErasureLog } from './helpers/data-dir';
import { loadConfig } from '../src/config';
import { eraseSubscriber } from '../src/services/privacy/erasure';

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await promise;
  } catch (error) {
    return (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? (error as { code?: string });
  }
  throw new Error('expected the database to refuse this');
}

describe('entities and constraints', () => {
  let db: DataSource;
  let customer: Customer;

  before(async () => {
    db = await freshDataSource();
    customer = await db.getRepository(Customer).save({ customerNumber: 'C-1001', name: 'Bakkerij De Korenschoof', emailDomains: ['korenschoof.nl'], regions: ['UT', 'NH'] });
  });
  after(async () => db.destroy());

  it('stores arrays and timestamps with time zone', async () => {
    const found = await db.getRepository(Customer).findOneByOrFail({ customerNumber: 'C-1001' });
    expect(found.regions).to.deep.equal(['UT', 'NH']);
    expect(found.createdAt).to.be.instanceOf(Date);
    const [column]: { data_type: string }[] = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'customer' AND column_name = 'created_at'");
    expect(column.data_type).to.equal('timestamp with time zone');
  });

  it('refuses a second subscriber with the same phone number', async () => {
    const repo = db.getRepository(Subscriber);
    await repo.save({ phone: '31612345678', firstName: 'Anna', customerId: customer.id, status: SubscriberStatus.Active });
    const error = await rejection(repo.save({ phone: '31612345678', firstName: 'Bram', customerId: customer.id }));
    expect(error.code).to.equal('23505');
    expect(error.constraint).to.equal('uq_subscriber_phone');
  });

  it('refuses a duplicate customer number', async () => {
    const error = await rejection(db.getRepository(Customer).insert({ customerNumber: 'C-1001', name: 'Ander bedrijf' }));
    expect(error.constraint).to.equal('uq_customer_number');
  });

  it('refuses values outside an enum', async () => {
    const error = await rejection(db.query("INSERT INTO subscriber (phone, customer_id, status) VALUES ('31600000001', $1, 'sleeping')", [customer.id]));
    expect(error.code).to.equal('22P02');
  });

  it('refuses a subscriber of an unknown customer', async () => {
    const error = await rejection(db.getRepository(Subscriber).insert({ phone: '31600000002', customerId: '00000000-0000-4000-8000-000000000000' }));
    expect(error.constraint).to.equal('fk_subscriber_customer');
  });

  it('de-duplicates WhatsApp message ids', async () => {
    await db.getRepository(InboundMessage).insert({ waMessageId: 'wamid.ABC' });
    const error = await rejection(db.getRepository(InboundMessage).insert({ waMessageId: 'wamid.ABC' }));
    expect(error.code).to.equal('23505');
  });

  it('keeps a delivery row without its recipient when the subscriber is erased (the erasure unlinks it: delivery has no foreign key to do it)', async () => {
    const subscriber = await db.getRepository(Subscriber).save({ phone: '31611112222', firstName: 'Cor', customerId: customer.id, status: SubscriberStatus.Active });
    const outage = await db.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 'staff-1' });
    const message = await db.getRepository(OutageMessage).save({
      outageId: outage.id,
      kind: OutageMessageKind.Initial,
      text: 'Landelijke storing internet',
      templateParameters: ['Storing', 'Internet', 'Landelijk', 'Hoog', 'Landelijke storing internet'],
      status: OutageMessageStatus.Sending,
      createdBy: 'staff-1',
    });
    const delivery = await db.getRepository(Delivery).save({ outageMessageId: message.id, subscriberId: subscriber.id, phone: subscriber.phone });
    expect(delivery.status).to.equal(DeliveryStatus.Queued);
    const config = loadConfig({ ERASURE_LOG: testErasureLog() }, { purpose: 'local' });
    await db.transaction((manager) => eraseSubscriber(manager, config, subscriber, { kind: SubscriptionEventKind.Erasure, actor: 'staff-1', mail: false }));
    expect(await db.getRepository(Subscriber).countBy({ id: subscriber.id })).to.equal(0);
    const after = await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id });
    expect(after.subscriberId).to.equal(null);
    expect(after.phone).to.equal(null);
    expect(after.status).to.equal(DeliveryStatus.Cancelled);
  });
});
