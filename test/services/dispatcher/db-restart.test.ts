import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/db/data-source';
import { ensureDatabase } from '../../../src/db/database';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../src/db/embedded-postgres';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { seedSubscribers, startBroadcast, statusCounts, until } from '../../helpers/broadcast';
import { memoryLogger } from '../../helpers/logger';

describe('dispatcher and a PostgreSQL restart mid-broadcast', function () {
  this.timeout(90_000);
  let dir: string;
  let postgres: RunningPostgres;
  let db: DataSource;
  let graph: GraphStandIn;
  let client: CloudApiClient;
  let dispatcher: Dispatcher;

  before(async () => {
    // A server of its own, so restarting it harms no other test.
    dir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-restart-'));
    postgres = await startEmbeddedPostgres({ dataDir: dir });
    const url = await ensureDatabase(postgres.url, 'restart');
    db = await createDataSource({ url, poolSize: 5 }).initialize();
    await db.runMigrations();
    graph = new GraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN' });
    client = new CloudApiClient({ baseUrl: await graph.start(), version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
    dispatcher = new Dispatcher(db, client, memoryLogger().logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps: 20, idlePollMs: 100, pairGapMs: 0, staleMs: 2000 });
  });
  after(async () => {
    await dispatcher.stop();
    client.close();
    await graph.stop();
    await db.destroy().catch(() => undefined);
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries on by itself after the database comes back, and every delivery is sent once', async () => {
    await seedSubscribers(db, 80, 31696000000);
    const messageId = await startBroadcast(db);
    dispatcher.start();
    await until(async () => graph.requests.length >= 15, 20_000, 'sending to start');
    await postgres.stop();
    // A deliberate outage of a set length, longer than the stale threshold (2 s here): the point
    // of the test is what happens after it. The outcomes buffered meanwhile must be written
    // before the new term re-queues claims it takes for a dead dispatcher's.
    await new Promise((r) => setTimeout(r, 4000));
    postgres = await startEmbeddedPostgres({ dataDir: dir, port: postgres.port });
    await until(async () => {
      try {
        return (await statusCounts(db, messageId)).sent === 80;
      } catch {
        return false;
      }
    }, 60_000, 'every delivery sent after the restart');
    const recipients = new Set(graph.requests.map((r) => (r.body as { to: string }).to));
    expect(recipients.size).to.equal(80);
    // What went out while the database was away is recorded before the new term recovers stale claims.
    expect(graph.requests.length, 'nobody twice').to.equal(80);
  });
});
