/**
 * Restores keep opt-outs (services/privacy/erasure-log.ts, restore.ts): a database restored from
 * a backup holds people who opted out since; the erasure log outside the database says so, no
 * notice goes out, and `npm run restore:reapply-erasures` erases them again.
 */
import { expect } from 'chai';
import { systemClock } from '../../../src/lib/clock';
import type { DataSource } from 'typeorm';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { loadConfig, type Config } from '../../../src/config';
import { Customer, OutageMessageKind, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus } from '../../../src/entities';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import { Outages } from '../../../src/services/notices/outages';
import { readTombstones, RestoreGuard } from '../../../src/services/privacy/erasure-log';
import { reapplyErasures } from '../../../src/services/privacy/restore';
import { handleInbound } from '../../../src/services/signup/conversation';
import { statusCounts, until } from '../../helpers/broadcast';
import { testDataDir, testErasureLog } from '../../helpers/data-dir';
import { memoryLogger } from '../../helpers/logger';
import { freshDatabase } from '../../helpers/postgres';
import { createDataSource } from '../../../src/db/data-source';

const draft = { kind: OutageMessageKind.Initial, service: OutageService.Internet, scope: OutageScope.Landelijk, regions: [] as string[], severity: OutageSeverity.Hoog, text: 'Storing op het KPN-netwerk, geen internet.', expectedResolution: undefined };

describe('restores keep opt-outs (erasure log)', function () {
  this.timeout(60_000);
  let db: DataSource;
  let url: string;
  let config: Config;
  let graph: GraphStandIn;

  before(async () => {
    url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
    config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always', DATA_DIR: testDataDir() }, { purpose: 'local' });
    graph = new GraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN' });
    await graph.start();
  });
  after(async () => {
    await graph.stop();
    await db.destroy();
  });

  it('refuses to send after a restore until the opt-outs since the backup are applied again; then sends to who is left', async () => {
    const customer = await db.getRepository(Customer).save({ customerNumber: 'C-6006', name: 'Slagerij Vers', regions: ['LI'] });
    const subscribers = db.getRepository(Subscriber);
    await subscribers.save([
      { phone: '31699000001', firstName: 'Anouk', customerId: customer.id, status: SubscriberStatus.Active, createdAt: new Date('2026-11-01T10:00:00Z') },
      { phone: '31699000002', firstName: 'Bram', customerId: customer.id, status: SubscriberStatus.Active, createdAt: new Date('2026-11-01T10:00:00Z') },
    ]);
    // The backup: the subscriber table as it was.
    const backup = await subscribers.find();

    // Anouk opts out after the backup: erased, with a tombstone in the database and in the log.
    await handleInbound(db, config, { messageId: 'wamid.restore-1', contact: { phone: '31699000001', userId: null }, text: 'afmelden', receivedAt: new Date() });
    expect(await subscribers.countBy({ phone: '31699000001' })).to.equal(0);
    const [tombstone] = readTombstones(config);
    expect(tombstone.keys).to.have.length(1);
    expect(JSON.stringify(readTombstones(config)), 'the log holds no number').to.not.include('31699000001');
    const guard = new RestoreGuard(config);
    expect(await guard.pending(db.manager)).to.equal(0);

    // The database is restored from the backup: Anouk is back, the tombstone's id is not.
    await db.query('DELETE FROM erasure_tombstone');
    await subscribers.save(backup.filter((s) => s.phone === '31699000001'));
    // Someone who signs up after the restore (and after the tombstone) is not erased again.
    await subscribers.save({ phone: '31699000003', firstName: 'Cas', customerId: customer.id, status: SubscriberStatus.Active });

    const outages = new Outages(db, config, systemClock);
    try {
      await outages.send({ draft, createdBy: 'staff', requestId: 'after-restore' });
      expect.fail('Versturen should be refused');
    } catch (error) {
      expect((error as { dutch: string }).dutch).to.equal(
        'De database is teruggezet: 1 afmelding(en) van na de back-up zijn nog niet opnieuw verwerkt. Er wordt niets verstuurd tot Team Techniek npm run restore:reapply-erasures heeft uitgevoerd.',
      );
    }
    // A notice that was being sent when the backup was made: the dispatcher holds it.
    await db.query(`INSERT INTO outage (id, service, scope, severity, created_by) VALUES ('00000000-0000-4000-8000-000000000006', 'internet', 'landelijk', 'hoog', 'staff')`);
    await db.query(
      `INSERT INTO outage_message (id, outage_id, kind, text, template_parameters, status, created_by, released_at) VALUES ('00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000006', 'initial', 't', '["Storing","internet","Landelijk","Hoog","t"]', 'sending', 'staff', now())`,
    );
    await db.query(`INSERT INTO delivery (outage_message_id, subscriber_id, phone) SELECT '00000000-0000-4000-8000-000000000007', id, phone FROM subscriber`);
    const client = new CloudApiClient({ baseUrl: graph.url, version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
    const dispatcher = new Dispatcher(db, client, memoryLogger().logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps: 100, idlePollMs: 100, pairGapMs: 0, restoreGuard: new RestoreGuard(config) });
    dispatcher.start();
    try {
      await until(async () => dispatcher.isLeader, 10_000, 'the dispatcher running');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const notices = () => graph.requests.filter((r) => 'type' in r.body && r.body.type === 'template');
      expect(notices(), 'no notice sent while erasures wait (replies still go)').to.have.length(0);

      expect(await reapplyErasures(db, config)).to.deep.equal({ tombstones: 1, erased: 1 });
      expect((await subscribers.find({ order: { phone: 'ASC' } })).map((s) => s.phone)).to.deep.equal(['31699000002', '31699000003']);
      expect(await reapplyErasures(db, config), 'a second run changes nothing').to.deep.equal({ tombstones: 0, erased: 0 });

      // Sending resumes, without Anouk.
      await until(async () => (await statusCounts(db, '00000000-0000-4000-8000-000000000007')).sent === 2, 20_000, 'the held notice sent');
      expect(notices().map((r) => (r.body as { to: string }).to).sort()).to.deep.equal(['31699000002', '31699000003']);
      // (Versturen checks the database at most every 10 s; a fresh desk sees it at once.)
      await new Outages(db, config, systemClock).send({ draft, createdBy: 'staff', requestId: 'after-reapply' });
    } finally {
      await dispatcher.stop();
      client.close();
    }
  });
});
