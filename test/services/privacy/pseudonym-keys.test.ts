/**
 * The pseudonymisation key is ours, versioned (lib/pseudonym-keys.ts): a rotation of it loses
 * no sign-up counter and no de-duplication, and a rotation of the WhatsApp app secret changes no
 * hash at all. (Late statuses across a rotation: ledger/delivery-status.test.ts; the erasure
 * log: restore-step.test.ts.)
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { firstSighting } from '../../../src/services/ledger/inbound-messages';
import { contactHash, forgetContactCounters, readContactCounters, saveContactCounters } from '../../../src/services/privacy/contact-counters';
import { freshDatabase } from '../../helpers/postgres';

const KEY_1 = '1:first-pseudonym-key-of-the-rotation-tests-01';
const KEY_2 = '2:second-pseudonym-key-of-the-rotation-test-02';
const contact = { phone: '31699200001', userId: 'NL.1234567890123456' };

function config(keys: string, appSecret = 'app-secret'): Config {
  return loadConfig({ WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: 'v', PSEUDONYM_KEYS: keys }, { purpose: 'tool' });
}

describe('the pseudonymisation key across rotations', () => {
  let db: DataSource;
  before(async () => {
    db = await createDataSource({ url: await freshDatabase(), poolSize: 2 }).initialize();
  });
  after(async () => db.destroy());

  it('makes the same hashes whatever the WhatsApp app secret is, and new ones only with a new key version', () => {
    expect(contactHash(config(KEY_1, 'app-secret-before'), contact.phone)).to.equal(contactHash(config(KEY_1, 'app-secret-after'), contact.phone));
    expect(contactHash(config(`${KEY_2},${KEY_1}`), contact.phone)).to.not.equal(contactHash(config(KEY_1), contact.phone));
  });

  it('keeps the sign-up counters through a rotation, and forgets them under every version', async () => {
    const before = config(KEY_1);
    await db.transaction(async (manager) => {
      const counters = await readContactCounters(manager, before, contact);
      await saveContactCounters(manager, { ...counters, failedCodeAttempts: 3, firstFailedAt: new Date('2026-12-01T10:00:00Z') });
    });
    const after = config(`${KEY_2},${KEY_1}`);
    const read = await db.transaction((manager) => readContactCounters(manager, after, contact));
    expect(read.failedCodeAttempts, 'counted under version 1, read under version 2').to.equal(3);
    await db.transaction((manager) => saveContactCounters(manager, { ...read, failedCodeAttempts: 4 }));
    expect((await db.transaction((manager) => readContactCounters(manager, after, contact))).failedCodeAttempts).to.equal(4);
    // Saved under version 2 only: the version 1 rows are replaced, never outweighing the current ones later.
    const current = ['31699200001', 'NL.1234567890123456'].map((identity) => contactHash(after, identity)).sort();
    const rows: { phone_hash: string }[] = await db.query('SELECT phone_hash FROM contact_throttle ORDER BY phone_hash');
    expect(rows.map((r) => r.phone_hash)).to.deep.equal(current);
    await db.transaction((manager) => forgetContactCounters(manager, after, contact));
    expect(await db.query('SELECT count(*)::int AS n FROM contact_throttle')).to.deep.equal([{ n: 0 }]);
  });

  it("still knows a message seen under the earlier version as a duplicate (Meta redelivers for days)", async () => {
    const id = 'wamid.HBgLMzE2OTkyMDAwMDEVAgASGBQzQTg5';
    expect((await db.transaction((manager) => firstSighting(manager, config(KEY_1).pseudonymKeys, id))).fresh).to.equal(true);
    expect((await db.transaction((manager) => firstSighting(manager, config(`${KEY_2},${KEY_1}`).pseudonymKeys, id))).fresh).to.equal(false);
    // Without version 1 it would have been handled twice.
    expect((await db.transaction((manager) => firstSighting(manager, config(KEY_2).pseudonymKeys, id))).fresh).to.equal(true);
  });
});
