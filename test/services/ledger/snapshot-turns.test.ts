/**
 * An opt-out while a notice's audience is being snapshotted (ledger/delivery-ledger.ts,
 * snapshotAudience): delivery.subscriber_id has no foreign key, so an advisory lock makes the two
 * take turns. Either way round, the person who opted out keeps no delivery: not their number,
 * not a link to the row that is gone. Both transactions are held open on purpose, so each order
 * happens for certain instead of by chance.
 */
import { expect } from 'chai';
import type { DataSource, QueryRunner } from 'typeorm';
import { loadConfig, type Config } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriptionEventKind } from '../../../src/entities';
import { snapshotAudience } from '../../../src/services/ledger/delivery-ledger';
import { eraseSubscriber } from '../../../src/services/privacy/erasure';
import { seedSubscribers } from '../../helpers/broadcast';
import { testErasureLog } from '../../helpers/data-dir';
import { freshDatabase } from '../../helpers/postgres';

describe('an opt-out during an audience snapshot', function () {
  this.timeout(30_000);
  let db: DataSource;
  let config: Config;
  const FIRST = 31697000000;
  const open: QueryRunner[] = [];

  beforeEach(async () => {
    db = await createDataSource({ url: await freshDatabase(), poolSize: 6 }).initialize();
    config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
    await seedSubscribers(db, 20, FIRST);
  });
  afterEach(async () => {
    for (const runner of open.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    await db.destroy();
  });

  async function transaction(): Promise<QueryRunner> {
    const runner = db.createQueryRunner();
    open.push(runner);
    await runner.connect();
    await runner.startTransaction();
    return runner;
  }

  async function heldNotice(): Promise<string> {
    const outage = await db.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 'staff-1' });
    const message = await db.getRepository(OutageMessage).save({ outageId: outage.id, kind: OutageMessageKind.Initial, text: 'Storing', templateParameters: ['Storing', 'internet', 'Landelijk', 'Hoog', 'Storing'], status: OutageMessageStatus.Held, createdBy: 'staff-1' });
    return message.id;
  }

  async function optOut(runner: QueryRunner, phone: string): Promise<Subscriber> {
    const subscriber = await runner.manager.getRepository(Subscriber).findOneOrFail({ where: { phone }, lock: { mode: 'pessimistic_write' } });
    await eraseSubscriber(runner.manager, config, subscriber, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber', mail: false });
    return subscriber;
  }

  /** Whether the promise is still waiting after a moment (for a lock). */
  async function stillWaiting(promise: Promise<unknown>): Promise<boolean> {
    return Promise.race([promise.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 400))]);
  }

  async function deliveriesOf(phone: string, subscriberId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM delivery WHERE phone = $1 OR subscriber_id = $2', [phone, subscriberId]);
    return n;
  }

  it('snapshot first: the opt-out waits for it, then unlinks the delivery the snapshot gave them', async () => {
    const phone = String(FIRST + 3);
    const messageId = await heldNotice();
    const snapshot = await transaction();
    expect(await snapshotAudience(snapshot.manager, messageId, { regions: null })).to.equal(20);

    const erasure = await transaction();
    const erased = optOut(erasure, phone).then(async (subscriber) => {
      await erasure.commitTransaction();
      return subscriber;
    });
    expect(await stillWaiting(erased), 'the opt-out waits for the snapshot').to.equal(true);
    await snapshot.commitTransaction();
    const subscriber = await erased;

    expect(await deliveriesOf(phone, subscriber.id)).to.equal(0);
    const [{ cancelled }]: { cancelled: number }[] = await db.query(`SELECT count(*)::int AS cancelled FROM delivery WHERE outage_message_id = $1 AND status = 'cancelled' AND subscriber_id IS NULL AND phone IS NULL`, [messageId]);
    expect(cancelled, 'their delivery is there, cancelled and anonymous').to.equal(1);
  });

  it('opt-out first: the snapshot waits for it, and leaves them out', async () => {
    const phone = String(FIRST + 7);
    const messageId = await heldNotice();
    const erasure = await transaction();
    const subscriber = await optOut(erasure, phone);

    const snapshot = await transaction();
    const counted = snapshotAudience(snapshot.manager, messageId, { regions: null }).then(async (count) => {
      await snapshot.commitTransaction();
      return count;
    });
    expect(await stillWaiting(counted), 'the snapshot waits for the opt-out').to.equal(true);
    await erasure.commitTransaction();

    expect(await counted).to.equal(19);
    expect(await deliveriesOf(phone, subscriber.id)).to.equal(0);
  });
});
