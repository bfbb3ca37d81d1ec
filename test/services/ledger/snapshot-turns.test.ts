/**
 * An opt-out while a notice's audience is being snapshotted (ledger/delivery-ledger.ts,
 * snapshotAudience): delivery.subscriber_id has no foreign key, so an advisory lock makes the two
 * take turns. Either way round, the person who opted out keeps no delivery: not their number,
 * not a link to the row that is gone. Both transactions are held open on purpose, so each order
 * happens for certain instead of by chance. And the nightly safety net for a race of an older
 * version without turns.
 */
import { expect } from 'chai';
import type { DataSource, QueryRunner } from 'typeorm';
import { loadConfig, type Config } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriptionEventKind } from '../../../src/entities';
import { forgetDanglingRecipients, snapshotAudience } from '../../../src/services/ledger/delivery-ledger';
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
  /** A transaction's work that may still wait for its turn when a test fails. */
  const pending: Promise<unknown>[] = [];

  beforeEach(async () => {
    db = await createDataSource({ url: await freshDatabase(), poolSize: 6 }).initialize();
    config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
    await seedSubscribers(db, 20, FIRST);
  });
  afterEach(async () => {
    // Rolling back the holder lets a waiter go on: its outcome is awaited before its own rollback.
    const waiting = Promise.allSettled(pending.splice(0));
    for (const runner of open) if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await waiting;
    for (const runner of open.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
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

  /**
   * Whether the promise waits for its turn: a transaction shows up in pg_locks waiting for the
   * snapshot's advisory lock (two keys 28, 1: objsubid 2), and the promise has not settled.
   */
  async function waitsForItsTurn(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let tries = 0; tries < 200 && !settled; tries++) {
      const [{ waiting }]: { waiting: number }[] = await db.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND classid = 28 AND objid = 1 AND objsubid = 2 AND NOT granted`);
      if (waiting > 0) return !settled;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
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
    pending.push(erased);
    expect(await waitsForItsTurn(erased), 'the opt-out waits for the snapshot').to.equal(true);
    await snapshot.commitTransaction();
    const subscriber = await erased;

    expect(await deliveriesOf(phone, subscriber.id)).to.equal(0);
    const [{ cancelled }]: { cancelled: number }[] = await db.query(`SELECT count(*)::int AS cancelled FROM delivery WHERE outage_message_id = $1 AND status = 'cancelled' AND subscriber_id IS NULL AND phone IS NULL`, [messageId]);
    expect(cancelled, 'their delivery is there, cancelled and anonymous').to.equal(1);
  });

  it('retention forgets a delivery left linked to a subscriber who is gone (as an instance without turns could leave one), and only on recent notices', async () => {
    const phone = String(FIRST + 11);
    const recent = await heldNotice();
    const old = await heldNotice();
    for (const id of [recent, old]) await db.transaction((manager) => snapshotAudience(manager, id, { regions: null }));
    await db.query(`UPDATE outage_message SET released_at = CASE WHEN id = $1 THEN now() - interval '1 hour' ELSE now() - interval '3 days' END WHERE id IN ($1, $2)`, [recent, old]);
    // The race of an older version: the subscriber deleted, their deliveries not unlinked.
    const [{ id }]: { id: string }[] = await db.query('DELETE FROM subscriber WHERE phone = $1 RETURNING id', [phone]);
    expect(await deliveriesOf(phone, id)).to.equal(2);

    expect(await forgetDanglingRecipients(db, config.pseudonymKeys.current.secret)).to.equal(1);
    const rows: { outage_message_id: string; status: string }[] = await db.query('SELECT outage_message_id, status::text FROM delivery WHERE phone = $1 OR subscriber_id = $2', [phone, id]);
    // The recent notice's row is forgotten and cancelled; a notice released days ago is not read (retention reaches it).
    expect(rows).to.deep.equal([{ outage_message_id: old, status: 'queued' }]);
    const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status = 'cancelled' AND subscriber_id IS NULL AND phone IS NULL`, [recent]);
    expect(n).to.equal(1);
    expect(await forgetDanglingRecipients(db, config.pseudonymKeys.current.secret), 'nothing left the second time').to.equal(0);
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
    pending.push(counted);
    expect(await waitsForItsTurn(counted), 'the snapshot waits for the opt-out').to.equal(true);
    await erasure.commitTransaction();

    expect(await counted).to.equal(19);
    expect(await deliveriesOf(phone, subscriber.id)).to.equal(0);
  });
});
