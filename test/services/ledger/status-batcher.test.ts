/**
 * The status batcher stays bounded when the ledger falls behind: a webhook it cannot take is
 * refused (503 via TooBusyError: Meta redelivers it) instead of being queued in memory.
 */
import { expect } from 'chai';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { TooBusyError } from '../../../src/http/body';
import { toHttp } from '../../../src/http/errors';
import { claimDeliveries, recordSent, type StatusUpdate } from '../../../src/services/ledger/delivery-ledger';
import { StatusBatcher } from '../../../src/services/ledger/status-batcher';
import { seedSubscribers, startBroadcast } from '../../helpers/broadcast';
import { freshDatabase } from '../../helpers/postgres';
import { createDataSource } from '../../../src/db/data-source';

describe('status batcher under overload', () => {
  let db: DataSource;
  let url: string;

  before(async () => {
    url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
    await seedSubscribers(db, 12, 31693500000);
    await startBroadcast(db);
    const { deliveries } = await claimDeliveries(db, 12, '00000000-0000-4000-8000-000000000001');
    await recordSent(db, deliveries.map((d, i) => ({ id: d.id, waMessageId: `wamid.batch-${i}` })));
  });
  after(async () => db.destroy());

  const statuses = (from: number, count: number): StatusUpdate[] =>
    Array.from({ length: count }, (_, i) => ({ waMessageId: `wamid.batch-${from + i}`, status: 'delivered' as const, timestamp: new Date() }));

  it('refuses statuses beyond its backlog while the ledger is stalled, and applies all it accepted once it moves', async () => {
    const batcher = new StatusBatcher(db, () => [], 5, 4, 1, 8);
    // Another transaction holds every delivery row: the ledger's statement waits for it.
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM delivery FOR UPDATE');
    const accepted = [batcher.add(statuses(0, 4)), batcher.add(statuses(4, 4))];
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(batcher.backlog).to.equal(8);
    const refused = await batcher.add(statuses(8, 4)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(TooBusyError);
    expect(toHttp(refused).status, 'the webhook answers 503: Meta redelivers').to.equal(503);

    await blocker.query('COMMIT');
    await blocker.end();
    const results = await Promise.all(accepted);
    expect(results.reduce((n, r) => n + r.applied, 0)).to.equal(8);
    expect(batcher.backlog).to.equal(0);
    // Meta's redelivery of the refused webhook is taken now.
    expect((await batcher.add(statuses(8, 4))).applied).to.equal(4);
    const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM delivery WHERE status = 'delivered'`);
    expect(n).to.equal(12);
  });
});
