/**
 * Restores keep opt-outs (services/privacy/erasure-log.ts, restore.ts): a database restored from
 * a backup holds people who opted out since; the erasure log outside the database says so, no
 * notice goes out, and `npm run restore:reapply-erasures` erases them again.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { systemClock } from '../../../src/lib/clock';
import type { DataSource } from 'typeorm';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { loadConfig, type Config } from '../../../src/config';
import { Customer, OutageMessageKind, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriberStatus } from '../../../src/entities';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import { Outages } from '../../../src/services/notices/outages';
import { databaseIdentity, readTombstones, RestoreGuard } from '../../../src/services/privacy/erasure-log';
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
        'De database is teruggezet: 1 afmelding van sinds de back-up is nog niet opnieuw verwerkt. Er wordt niets verstuurd tot Team Techniek npm run restore:reapply-erasures heeft uitgevoerd.',
      );
    }
    // A notice that was being sent when the backup was made: the dispatcher holds it.
    await db.query(`INSERT INTO outage (id, service, scope, severity, created_by) VALUES ('00000000-0000-4000-8000-000000000006', 'internet', 'landelijk', 'hoog', 'staff')`);
    await db.query(
      `INSERT INTO outage_message (id, outage_id, kind, text, template_parameters, status, created_by, released_at) VALUES ('00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000006', 'initial', 't', '["Storing","internet","Landelijk","Hoog","t"]', 'sending', 'staff', now())`,
    );
    await db.query(`INSERT INTO delivery (outage_message_id, subscriber_id, phone) SELECT '00000000-0000-4000-8000-000000000007', id, phone FROM subscriber`);
    const client = new CloudApiClient({ baseUrl: graph.url, version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
    const dispatched = memoryLogger();
    const dispatcher = new Dispatcher(db, client, dispatched.logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps: 100, idlePollMs: 100, pairGapMs: 0, restoreGuard: new RestoreGuard(config) });
    dispatcher.start();
    try {
      await until(async () => dispatcher.isLeader, 10_000, 'the dispatcher running');
      // The dispatcher has looked at the notice and held it: it says so, naming the log.
      const restoreLine = () => dispatched.lines.find((line) => line.includes('the database was restored'));
      await until(async () => restoreLine() !== undefined, 10_000, 'the dispatcher holding the notice');
      expect(JSON.parse(restoreLine()!)).to.include({ level: 50, msg: `the database was restored: 1 erasure(s) in the erasure log ${config.erasureLog} are missing from it; no notice is sent until npm run restore:reapply-erasures has run` });
      const notices = () => graph.requests.filter((r) => 'type' in r.body && r.body.type === 'template');
      expect(notices(), 'no notice sent while erasures wait (replies still go)').to.have.length(0);

      expect(await reapplyErasures(db, config)).to.deep.include({ tombstones: 1, matched: 1, unmatched: 0, erased: 1, foreign: 0 });
      expect((await subscribers.find({ order: { phone: 'ASC' } })).map((s) => s.phone)).to.deep.equal(['31699000002', '31699000003']);
      expect(await reapplyErasures(db, config), 'a second run changes nothing').to.deep.include({ tombstones: 0, erased: 0 });

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

  describe('a log that belongs to another database', () => {
    /** A database of its own, with one active subscriber, and a desk and guard on the given log. */
    async function anotherDatabase(log: string): Promise<{ other: DataSource; otherConfig: Config; otherUrl: string }> {
      const otherUrl = await freshDatabase();
      const other = await createDataSource({ url: otherUrl, poolSize: 2 }).initialize();
      // As the service does at its first start, before anything is written.
      await databaseIdentity(other);
      const otherConfig = loadConfig({ ERASURE_LOG: log, BUSINESS_HOURS: 'always', DATA_DIR: testDataDir() }, { purpose: 'local' });
      const customer = await other.getRepository(Customer).save({ customerNumber: 'C-6007', name: 'Bloemist Fleur', regions: ['UT'] });
      await other.getRepository(Subscriber).save({ phone: '31699000011', firstName: 'Fleur', customerId: customer.id, status: SubscriberStatus.Active });
      return { other, otherConfig, otherUrl };
    }

    it('is not taken for a restore: a database created afresh beside an old log sends, and the dispatcher says once which log and what to do', async () => {
      const log = testErasureLog();
      const old = await anotherDatabase(log);
      await handleInbound(old.other, old.otherConfig, { messageId: 'wamid.fresh-1', contact: { phone: '31699000011', userId: null }, text: 'afmelden', receivedAt: new Date() });
      await old.other.destroy();
      expect(readTombstones(old.otherConfig)).to.have.length(1);

      // The database is created afresh (a reset, or DATABASE_URL pointed at a new one); the log stays.
      const fresh = await anotherDatabase(log);
      try {
        expect(await new RestoreGuard(fresh.otherConfig).check(fresh.other.manager)).to.deep.equal({ missing: 0, foreign: 1 });
        const sent = await new Outages(fresh.other, fresh.otherConfig, systemClock).send({ draft, createdBy: 'staff', requestId: 'fresh-db' });
        expect(sent.status).to.equal('sending');
        const logged = memoryLogger();
        const client = new CloudApiClient({ baseUrl: graph.url, version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
        const dispatcher = new Dispatcher(fresh.other, client, logged.logger, { databaseUrl: fresh.otherUrl, phoneNumberId: 'PN', maxMps: 100, idlePollMs: 100, pairGapMs: 0, restoreGuard: new RestoreGuard(fresh.otherConfig) });
        dispatcher.start();
        try {
          await until(async () => (await statusCounts(fresh.other, sent.id)).sent === 1, 10_000, 'the notice sent on the fresh database');
        } finally {
          await dispatcher.stop();
          client.close();
        }
        const said = logged.lines.map((line) => JSON.parse(line) as { level: number; msg: string });
        expect(said.filter((line) => line.msg.includes('erasure log'))).to.deep.equal([
          {
            ...said.find((line) => line.msg.includes('erasure log')),
            level: 40,
            msg: `the erasure log ${log} holds 1 erasure(s) of another database (this database was created afresh, or another deployment writes the same log); they are not taken for a restore of this one: if this database is new, move the old log aside; if another deployment shares it, give each its own ERASURE_LOG`,
          },
        ]);
        expect(said.some((line) => line.msg.includes('restored'))).to.equal(false);
      } finally {
        await fresh.other.destroy();
      }
    });

    it('still catches a restored backup that got its identity only at its first start: the lines written before that are its own', async () => {
      const log = testErasureLog();
      const url = await freshDatabase();
      const restored = await createDataSource({ url, poolSize: 2 }).initialize();
      try {
        // The backup's data comes back first; the service then starts on it and gives it an identity.
        await restored.getRepository(Customer).save({ customerNumber: 'C-6008', name: 'Kapsalon Knip', regions: ['NB'] });
        const identity = await databaseIdentity(restored);
        expect(identity.adopted).to.equal(true);
        const config = loadConfig({ ERASURE_LOG: log, BUSINESS_HOURS: 'always', DATA_DIR: testDataDir() }, { purpose: 'local' });
        const line = (id: string, at: string) => JSON.stringify({ id, at, keys: ['k'], db: '00000000-0000-4000-8000-00000000beef' });
        const after = new Date(identity.createdAt.getTime() + 60_000).toISOString();
        writeFileSync(log, `${line('00000000-0000-4000-8000-0000000000b1', '2026-11-20T10:00:00.000Z')}\n${line('00000000-0000-4000-8000-0000000000b2', after)}\n`);
        // The erasure from before its identity is missing: a restore. The later line is another database's.
        expect(await new RestoreGuard(config).check(restored.manager)).to.deep.equal({ missing: 1, foreign: 1 });
      } finally {
        await restored.destroy();
      }
    });

    it("still catches a restored backup from before databases had an identity: it holds an older line's tombstone, so later lines are its own", async () => {
      const log = testErasureLog();
      const restored = await anotherDatabase(log);
      try {
        // An older line (no identity) whose tombstone the backup holds, and a later one written under an identity the restore lost.
        await restored.other.query(`INSERT INTO erasure_tombstone (id) VALUES ('00000000-0000-4000-8000-0000000000a1')`);
        writeFileSync(
          log,
          [
            { id: '00000000-0000-4000-8000-0000000000a1', at: '2026-11-01T10:00:00.000Z', keys: ['k-old'] },
            { id: '00000000-0000-4000-8000-0000000000a2', at: '2026-11-20T10:00:00.000Z', keys: ['k-new'], db: '00000000-0000-4000-8000-00000000dead' },
          ]
            .map((line) => `${JSON.stringify(line)}\n`)
            .join(''),
        );
        const found = await new RestoreGuard(restored.otherConfig).check(restored.other.manager);
        expect(found).to.deep.equal({ missing: 1, foreign: 0 });
        // Without the older line's tombstone, the later line is another database's.
        await restored.other.query('DELETE FROM erasure_tombstone');
        writeFileSync(log, `${JSON.stringify({ id: '00000000-0000-4000-8000-0000000000a2', at: '2026-11-20T10:00:00.000Z', keys: ['k-new'], db: '00000000-0000-4000-8000-00000000dead' })}\n`);
        expect(await new RestoreGuard(restored.otherConfig).check(restored.other.manager)).to.deep.equal({ missing: 0, foreign: 1 });
      } finally {
        await restored.other.destroy();
      }
    });
  });
});
