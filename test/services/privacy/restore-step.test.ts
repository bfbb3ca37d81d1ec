/**
 * `npm run restore:reapply-erasures` cannot report success wrongly (issue 26): a backup, an
 * opt-out after it, the backup restored, then the step as an operator runs it, in a process of
 * its own with the environment it is given. Every line of the erasure log is matched with the
 * key that made it; a line it cannot match stops it, nothing changed and sending still blocked.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Customer, Subscriber, SubscriberStatus } from '../../../src/entities';
import { databaseIdentity, readTombstones, RestoreGuard } from '../../../src/services/privacy/erasure-log';
import { handleInbound } from '../../../src/services/signup/conversation';
import { contactHash } from '../../../src/services/privacy/contact-counters';
import { baseEnv } from '../../helpers/child-env';
import { testDataDir, testErasureLog } from '../../helpers/data-dir';
import { freshDatabase } from '../../helpers/postgres';

const CLI = path.resolve(__dirname, '../../../src/cli/reapply-erasures.js');
const KEY_1 = '1:first-pseudonym-key-of-the-restore-tests-0123';
const KEY_2 = '2:second-pseudonym-key-of-the-restore-tests-456';
/** The service's environment (its env file), less the database and the log. */
const SERVICE = { WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '1065', WHATSAPP_APP_SECRET: 'app-secret-before', WHATSAPP_VERIFY_TOKEN: 'verify', PSEUDONYM_KEYS: KEY_1 };
const ANOUK = '31699100001';
const BRAM = '31699100002';

interface Restored {
  db: DataSource;
  url: string;
  log: string;
  identity: string;
}

describe('npm run restore:reapply-erasures', function () {
  this.timeout(60_000);
  const opened: DataSource[] = [];
  after(async () => Promise.all(opened.map((db) => db.destroy())));

  function serviceConfig(log: string, env: Record<string, string> = {}): Config {
    return loadConfig({ ...SERVICE, ...env, ERASURE_LOG: log, DATA_DIR: testDataDir(), BUSINESS_HOURS: 'always' }, { purpose: 'tool' });
  }

  async function database(): Promise<{ db: DataSource; url: string; identity: string }> {
    const url = await freshDatabase();
    const db = await createDataSource({ url, poolSize: 2 }).initialize();
    opened.push(db);
    return { db, url, identity: (await databaseIdentity(db)).id };
  }

  /** Anouk and Bram subscribe; a backup; who is named opts out (under the keys given); the backup comes back. */
  async function restoredAfterOptOuts(optOuts: { phone: string; keys: string }[]): Promise<Restored> {
    const { db, url, identity } = await database();
    const log = testErasureLog();
    const customer = await db.getRepository(Customer).save({ customerNumber: 'C-7001', name: 'Drukkerij Inkt', regions: ['GE'] });
    const subscribers = db.getRepository(Subscriber);
    await subscribers.save([ANOUK, BRAM].map((phone) => ({ phone, firstName: 'Test', customerId: customer.id, status: SubscriberStatus.Active, createdAt: new Date('2026-11-01T10:00:00Z') })));
    const backup = await subscribers.find();
    for (const [i, optOut] of optOuts.entries()) {
      await handleInbound(db, serviceConfig(log, { PSEUDONYM_KEYS: optOut.keys }), { messageId: `wamid.step-${i}-${identity}`, contact: { phone: optOut.phone, userId: null }, text: 'afmelden', receivedAt: new Date() });
    }
    expect(await subscribers.countBy({ phone: optOuts[0].phone })).to.equal(0);
    // The restore: the tombstones' ids go, the subscribers come back.
    await db.query('DELETE FROM erasure_tombstone');
    await subscribers.save(backup.filter((s) => optOuts.some((o) => o.phone === s.phone)));
    return { db, url, log, identity };
  }

  function step(restored: { url: string; log: string }, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    // Run from a folder without a .env: only what the test gives counts.
    const run = spawnSync(process.execPath, [CLI], { env: { ...baseEnv(), DATABASE_URL: restored.url, ERASURE_LOG: restored.log, DATA_DIR: testDataDir(), ...env }, cwd: os.tmpdir(), encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  const phones = async (db: DataSource) => (await db.getRepository(Subscriber).find({ order: { phone: 'ASC' } })).map((s) => s.phone);
  const pending = async (restored: Restored) => new RestoreGuard(serviceConfig(restored.log)).pending(restored.db);

  it('a correct restore: each erasure matched with its own key, counts printed, exit 0; a second run has nothing to do', async () => {
    const restored = await restoredAfterOptOuts([{ phone: ANOUK, keys: KEY_1 }]);
    expect(await pending(restored)).to.equal(1);
    const run = step(restored, SERVICE);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal(
      [
        `database ${restored.identity}: 1 erasure(s) in ${restored.log} were missing from it, each matched with the key that made it:`,
        '  1 matched a subscriber of the backup: 1 subscriber row(s) erased again',
        '  0 matched nobody in the backup (signed up after it, or gone already): nothing to erase',
        'every erasure is applied again; sending may resume',
        '',
      ].join('\n'),
    );
    expect(await phones(restored.db)).to.deep.equal([BRAM]);
    expect(await pending(restored)).to.equal(0);
    expect(step(restored, SERVICE).stdout).to.equal(`nothing to reapply: database ${restored.identity} holds every one of its erasures in ${restored.log}\n`);
  });

  it('erases again after the WhatsApp app secret was rotated (Meta advises it after a leak): the secret keys nothing of ours', async () => {
    const restored = await restoredAfterOptOuts([{ phone: ANOUK, keys: KEY_1 }]);
    const run = step(restored, { ...SERVICE, WHATSAPP_APP_SECRET: 'app-secret-after-the-leak' });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('1 subscriber row(s) erased again');
    expect(await phones(restored.db)).to.deep.equal([BRAM]);
  });

  it('matches the lines of every key version after a rotation of the pseudonymisation key', async () => {
    // Anouk opts out under version 1; the key is rotated; Bram opts out under version 2.
    const restored = await restoredAfterOptOuts([
      { phone: ANOUK, keys: KEY_1 },
      { phone: BRAM, keys: `${KEY_2},${KEY_1}` },
    ]);
    expect(readTombstones(serviceConfig(restored.log)).map((t) => t.key?.split(':')[0])).to.deep.equal(['1', '2']);
    const run = step(restored, { ...SERVICE, PSEUDONYM_KEYS: `${KEY_2},${KEY_1}` });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('2 matched a subscriber of the backup: 2 subscriber row(s) erased again');
    expect(await phones(restored.db)).to.deep.equal([]);
  });

  it('stops with nothing changed when it lacks the key of a line: a shell without the service environment, a dropped version, no key at all', async () => {
    const restored = await restoredAfterOptOuts([{ phone: ANOUK, keys: KEY_1 }]);
    const [line] = readTombstones(serviceConfig(restored.log));
    // A shell with DATABASE_URL but not the service's env file: no key is guessed.
    const bare = step(restored, {});
    expect(bare.status).to.equal(1);
    expect(bare.stdout).to.equal('');
    expect(bare.stderr).to.match(/^configuration error: PSEUDONYM_KEYS: required outside npm start/);
    // The credentials, but no key at all.
    const withoutKey: Record<string, string> = { ...SERVICE };
    delete withoutKey.PSEUDONYM_KEYS;
    expect(step(restored, withoutKey).stderr).to.match(/^configuration error: PSEUDONYM_KEYS: required outside npm start/);
    // Version 1 dropped too early: the line says which key it needs.
    const dropped = step(restored, { ...SERVICE, PSEUDONYM_KEYS: KEY_2 });
    expect(dropped.status).to.equal(1);
    expect(dropped.stdout).to.equal('');
    expect(dropped.stderr).to.include(`1 line(s) of the erasure log were made with pseudonymisation key ${line.key}, which this run does not have: nothing was changed and sending stays blocked.`);
    expect(dropped.stderr).to.include(`1 regel van het afmeldlogboek is gemaakt met sleutel ${line.key}, die bij deze uitvoering ontbreekt: er is niets veranderd en er wordt nog steeds niets verstuurd.`);
    // Nothing was applied: Anouk is still there, and sending is still refused.
    expect(await phones(restored.db)).to.deep.equal([ANOUK, BRAM]);
    expect(await pending(restored)).to.equal(1);
  });

  it('matches a line from before key versions only with the legacy version 0 (the app secret of that time) given explicitly, and says so', async () => {
    const restored = await restoredAfterOptOuts([{ phone: ANOUK, keys: KEY_1 }]);
    // The log as an older version wrote it: no key id, hashed with the WhatsApp app secret.
    const [line] = readTombstones(serviceConfig(restored.log));
    const legacy = { id: line.id, at: line.at, db: line.db, keys: [contactHash(serviceConfig(restored.log), ANOUK, { version: 0, secret: SERVICE.WHATSAPP_APP_SECRET, id: '0' })] };
    writeFileSync(restored.log, `${JSON.stringify(legacy)}\n`);
    const without = step(restored, SERVICE);
    expect(without.status).to.equal(1);
    expect(without.stderr).to.include('made with pseudonymisation key 0 (the WhatsApp app secret of before key versions), which this run does not have');
    expect(await phones(restored.db)).to.deep.equal([ANOUK, BRAM]);
    const run = step(restored, { ...SERVICE, PSEUDONYM_KEYS: `${KEY_1},0:${SERVICE.WHATSAPP_APP_SECRET}` });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('1 matched a subscriber of the backup: 1 subscriber row(s) erased again');
    expect(run.stdout).to.include('1 of them are lines from before key versions, matched with version 0 of PSEUDONYM_KEYS');
    expect(await phones(restored.db)).to.deep.equal([BRAM]);
  });

  it('pointed at the wrong database: nothing is erased there, it says whose lines they are, and the restored one stays blocked', async () => {
    const restored = await restoredAfterOptOuts([{ phone: ANOUK, keys: KEY_1 }]);
    const other = await database();
    const run = step({ url: other.url, log: restored.log }, SERVICE);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal(
      `nothing to reapply: database ${other.identity} holds every one of its erasures in ${restored.log}\n` +
        `1 line(s) of ${restored.log} belong to another database and were left alone (if you restored that one, point DATABASE_URL at it and run this again)\n`,
    );
    expect(run.stdout).to.not.include('sending may resume');
    expect(await pending(restored)).to.equal(1);
    expect(await phones(restored.db)).to.deep.equal([ANOUK, BRAM]);
  });
});
