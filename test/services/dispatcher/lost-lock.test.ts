/**
 * A dispatcher whose lock connection is cut (a network blip, a failover of the database
 * proxy) while another takes the lock: it stops sending at once, forgets the batch it had
 * claimed ahead, and what it writes late never undoes the new leader's claims. Nobody gets the
 * notice twice.
 */
import { expect } from 'chai';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/db/data-source';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import type { TemplateSender } from '../../../src/services/dispatcher/sender';
import { claimDeliveries, recordFailed, recordRetry, recordSent, requeueStale } from '../../../src/services/ledger/delivery-ledger';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { seedSubscribers, startBroadcast, statusCounts, until } from '../../helpers/broadcast';
import { memoryLogger } from '../../helpers/logger';
import { freshDatabase } from '../../helpers/postgres';

const OLD_TERM = '00000000-0000-4000-8000-00000000000a';
const NEW_TERM = '00000000-0000-4000-8000-00000000000b';

describe('a dispatcher that loses its lock', function () {
  this.timeout(60_000);
  let url: string;
  let db: DataSource;

  beforeEach(async () => {
    url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
  });
  afterEach(async () => db.destroy());

  it('writes nothing over a claim that is no longer its own, and a late "sent" still counts', async () => {
    await seedSubscribers(db, 3, 31697000000);
    await startBroadcast(db);
    const [a, b, c] = (await claimDeliveries(db, 3, OLD_TERM)).deliveries;
    // The old term's claims were recovered and claimed again by the new leader.
    await requeueStale(db, NEW_TERM, 0, 0);
    await claimDeliveries(db, 2, NEW_TERM);
    await recordRetry(db, [{ id: a.id, claimedBy: OLD_TERM, delayMs: 0, code: null, title: null, countAttempt: false }]);
    await recordFailed(db, [{ id: b.id, claimedBy: OLD_TERM, code: 131026, title: 'Message undeliverable' }]);
    const rows = () => db.query<{ id: string; status: string; claimed_by: string | null }[]>(`SELECT id::text, status::text, claimed_by FROM delivery ORDER BY id`);
    expect((await rows()).filter((r) => r.id !== c.id)).to.deep.equal([
      { id: a.id, status: 'sending', claimed_by: NEW_TERM },
      { id: b.id, status: 'sending', claimed_by: NEW_TERM },
    ]);
    // c is queued again, not yet claimed: the old term's "sent" keeps it from going out twice.
    expect((await rows()).find((r) => r.id === c.id)?.status).to.equal('queued');
    await recordSent(db, [{ id: c.id, waMessageId: 'wamid.C' }]);
    expect((await rows()).find((r) => r.id === c.id)?.status).to.equal('sent');
  });

  it('stops sending when another takes the lock, and nobody gets the notice twice', async () => {
    await seedSubscribers(db, 600, 31697100000);
    const graph = new GraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN', keep: 10_000 });
    const sender = new CloudApiClient({ baseUrl: await graph.start(), version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
    // The dispatcher's sender, watched: how many sends it started, and which are still in flight.
    const inFlight = new Set<Promise<unknown>>();
    let started = 0;
    const watched: TemplateSender = {
      sendTemplate: (to, parameters, options) => {
        started += 1;
        const sending = sender.sendTemplate(to, parameters, options);
        const settled = sending.then(
          () => undefined,
          () => undefined,
        );
        inFlight.add(settled);
        void settled.then(() => inFlight.delete(settled));
        return sending;
      },
      sendText: (to, text) => sender.sendText(to, text),
    };
    const dispatcher = new Dispatcher(db, watched, memoryLogger().logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps: 100, idlePollMs: 100, pairGapMs: 0, staleMs: 1000 });
    const rival = new Client({ connectionString: url });
    await rival.connect();
    try {
      const messageId = await startBroadcast(db);
      dispatcher.start();
      await until(async () => graph.requests.length >= 150, 20_000, 'sending to be under way');
      // Cut the lock's connection and take the lock before the dispatcher can reconnect.
      await rival.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'storingsmelder-dispatcher' AND datname = current_database()`);
      await rival.query('SELECT pg_advisory_lock(hashtext($1))', ['storingsmelder-dispatcher:PN']);
      // It notices the cut connection, and the sends it had started before come back.
      await until(() => Promise.resolve(!dispatcher.isLeader), 10_000, 'the dispatcher to let go');
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      const startedWhileOut = started;
      const whileOut = graph.requests.length;
      expect(whileOut, 'every send started reached Meta').to.equal(startedWhileOut);
      // Deliberately a stretch of time: the property is that nothing happens during it. Two
      // seconds cover the dispatcher's retry of the lock (every 2 s while it is a follower).
      await new Promise((r) => setTimeout(r, 2000));
      expect(started, 'no sends started while another holds the lock').to.equal(startedWhileOut);
      expect(graph.requests.length, 'no sends while another holds the lock').to.equal(whileOut);
      expect(dispatcher.isLeader).to.equal(false);
      await rival.query('SELECT pg_advisory_unlock(hashtext($1))', ['storingsmelder-dispatcher:PN']);
      await until(async () => (await statusCounts(db, messageId)).sent === 600, 30_000, 'every delivery sent');
      const recipients = graph.requests.map((r) => (r.body as { to: string }).to);
      expect(new Set(recipients).size).to.equal(600);
      expect(recipients.length, 'sends in all').to.equal(600);
    } finally {
      await rival.end();
      await dispatcher.stop();
      sender.close();
      await graph.stop();
    }
  });
});
