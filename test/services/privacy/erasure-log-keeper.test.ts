/**
 * The erasure log is a required, checked part of the service (issue 26): no start without a
 * writable one; an append that fails is an ERROR with a metric, in /healthz and the doctor, the
 * opt-out still completes and its line is appended once the log can be written again; a log
 * that lost lines the database has is reported.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../../src/app';
import { loadConfig, type Config } from '../../../src/config';
import { openDatabase, type Database } from '../../../src/db/database';
import { checkErasureLog } from '../../../src/doctor/erasure-log-check';
import { Customer, Subscriber, SubscriberStatus } from '../../../src/entities';
import { readTombstones } from '../../../src/services/privacy/erasure-log';
import { handleInbound } from '../../../src/services/signup/conversation';
import { until } from '../../helpers/broadcast';
import { baseEnv } from '../../helpers/child-env';
import { testDataDir, testErasureLog } from '../../helpers/data-dir';
import { memoryLogger } from '../../helpers/logger';
import { freshDatabase } from '../../helpers/postgres';

const SERVICE = path.resolve(__dirname, '../../../src/index.js');

describe('the erasure log, kept whole', function () {
  this.timeout(60_000);

  describe('at start', () => {
    /** The development command's start, as far as the log check (the database is a test one). */
    async function start(erasureLog: string): Promise<{ status: number | null; stderr: string }> {
      const run = spawnSync(process.execPath, [SERVICE, 'whatsapp', '--local'], {
        env: { ...baseEnv(), DATABASE_URL: await freshDatabase(), DATA_DIR: testDataDir(), ERASURE_LOG: erasureLog, LOG_LEVEL: 'error' },
        cwd: os.tmpdir(),
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: run.status, stderr: run.stderr };
    }

    it('is refused in one line naming the log when it cannot be written', async () => {
      const folder = mkdtempSync(path.join(testDataDir(), 'log-is-a-folder-'));
      const why = 'set ERASURE_LOG to a writable file on storage a database restore does not touch (docs/deploy.md, Backup and restore)';
      expect(await start(folder)).to.deep.equal({ status: 1, stderr: `Storingsmelder could not start: the erasure log ${folder} cannot be written (EISDIR): ${why}\n` });
      // A folder that cannot be made (below a file), as with a read-only or missing volume.
      const file = path.join(testDataDir(), `a-file-${process.pid}`);
      writeFileSync(file, '');
      const below = path.join(file, 'erasures.log');
      expect(await start(below)).to.deep.equal({ status: 1, stderr: `Storingsmelder could not start: the erasure log ${below} cannot be written (EEXIST): ${why}\n` });
    });
  });

  describe('while running', () => {
    let database: Database;
    let app: App;
    let config: Config;
    let base: string;
    let log: string;
    let lines: string[];

    before(async () => {
      const logged = memoryLogger();
      lines = logged.lines;
      log = testErasureLog();
      database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger: logged.logger });
      config = loadConfig({ ERASURE_LOG: log, DATA_DIR: testDataDir() }, { purpose: 'local' });
      app = await createApp(config, database, logged.logger, 'whatsapp');
      base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    });
    after(async () => {
      await app.close();
      await database.close();
    });

    const health = async () => (await (await fetch(`${base}/healthz`)).json()) as { status: string; database: string; erasureLog: string };
    const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    const doctor = () => checkErasureLog(config, <T,>(sql: string, parameters?: unknown[]) => database.dataSource.query<T>(sql, parameters));
    const said = (text: string) => lines.map((line) => JSON.parse(line) as { level: number; msg: string; file?: string; code?: string }).filter((line) => line.msg.includes(text));

    it('an append that fails: the opt-out completes, an ERROR and a metric, /healthz and the doctor say so; the line is appended once the log can be written', async () => {
      const customer = await database.dataSource.getRepository(Customer).save({ customerNumber: 'C-7101', name: 'Garage Piston', regions: ['FR'] });
      await database.dataSource.getRepository(Subscriber).save({ phone: '31699300001', firstName: 'Sietske', customerId: customer.id, status: SubscriberStatus.Active });
      expect(await health()).to.deep.equal({ status: 'ok', database: 'up', erasureLog: 'ok' });

      // The volume goes away (here: the log's path becomes a folder; a read-only file system says EROFS).
      rmSync(log, { force: true });
      mkdirSync(log);
      const outcome = await handleInbound(database.dataSource, config, { messageId: 'wamid.keeper-1', contact: { phone: '31699300001', userId: null }, text: 'afmelden', receivedAt: new Date() });
      expect(outcome.tombstones).to.have.length(1);
      expect(await database.dataSource.getRepository(Subscriber).countBy({ phone: '31699300001' }), 'the opt-out stands').to.equal(0);
      expect(said('erasure log not written')).to.deep.equal([
        {
          ...said('erasure log not written')[0],
          level: 50,
          file: log,
          code: 'EISDIR',
          msg: 'erasure log not written: the erasure stands and its line waits in the database, appended as soon as the log can be written; until then a restore would not see it',
        },
      ]);
      expect(await metric('storingsmelder_erasure_log_write_failures_total')).to.equal(1);
      expect(await health()).to.deep.equal({ status: 'degraded', database: 'up', erasureLog: 'unwritable' });
      expect((await doctor()).status).to.equal('fail');

      // Writable again: the keeper appends the waiting line, and all is well.
      rmSync(log, { recursive: true });
      await until(async () => readTombstones(config).length === 1, 30_000, 'the waiting line appended');
      expect(readTombstones(config)[0].id).to.equal(outcome.tombstones![0].id);
      expect(JSON.parse(readFileSync(log, 'utf8'))).to.deep.equal(outcome.tombstones![0]);
      await until(async () => (await health()).erasureLog === 'ok', 30_000, 'healthz ok again');
      expect(await database.dataSource.query('SELECT count(*)::int AS n FROM erasure_tombstone WHERE pending_line IS NOT NULL')).to.deep.equal([{ n: 0 }]);
      expect(await metric('storingsmelder_erasure_log_pending_lines')).to.equal(0);
      expect(await doctor()).to.include({ status: 'ok' });
    });

    it('a log that lost lines the database logged is reported: ERROR, gauge, /healthz and the doctor', async () => {
      expect(readTombstones(config)).to.have.length(1);
      // Replaced by an empty one (a new volume, a restore of the log from an old backup).
      writeFileSync(log, '');
      await until(async () => (await health()).erasureLog === 'lost', 30_000, 'the loss noticed');
      expect(said('it lacks erasures the database logged').map((line) => line.level)).to.deep.equal([50]);
      expect(await metric('storingsmelder_erasure_log_lost_lines')).to.equal(1);
      expect(await doctor()).to.deep.include({ status: 'fail', detail: `${log} lacks 1 erasure(s) the database logged: it was replaced or cut short, or not every instance writes this one` });
    });
  });
});
