/**
 * After a database restore (docs/deploy.md, Backup and restore): erases again whoever opted out
 * or was erased after the backup, from the erasure log's tombstones the database does not hold
 * (erasure-log.ts). Only a subscriber row older than the tombstone is erased: whoever signed up
 * again afterwards stays. No AVG e-mail goes out again (it went out at the time). Run by
 * `npm run restore:reapply-erasures`; until then no notice is sent.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { Subscriber, SubscriptionEventKind } from '../../entities';
import { contactKeys, lockContact } from '../registry/contact';
import { contactHash } from './contact-counters';
import { eraseSubscriber } from './erasure';
import { appendTombstones, checkLog, readTombstones, type Tombstone } from './erasure-log';

export async function reapplyErasures(dataSource: DataSource, config: Config): Promise<{ tombstones: number; erased: number }> {
  const { missing } = await checkLog(dataSource, readTombstones(config));
  if (missing.length === 0) return { tombstones: 0, erased: 0 };
  // Every subscriber by the keyed hash of each identity (the tombstones hold only those).
  const byKey = new Map<string, Subscriber>();
  for (const subscriber of await dataSource.getRepository(Subscriber).find()) {
    for (const key of contactKeys(subscriber)) byKey.set(contactHash(config, key), subscriber);
  }
  let erased = 0;
  for (const tombstone of missing) {
    const matches = [...new Set(tombstone.keys.map((key) => byKey.get(key)).filter((s): s is Subscriber => s !== undefined && s.createdAt < new Date(tombstone.at)))];
    const written: Tombstone[] = [];
    await dataSource.transaction(async (manager) => {
      for (const match of matches) {
        await lockContact(manager, match);
        const subscriber = await manager.getRepository(Subscriber).findOne({ where: { id: match.id }, lock: { mode: 'pessimistic_write' } });
        if (!subscriber) continue;
        const { tombstone: again } = await eraseSubscriber(manager, config, subscriber, { kind: SubscriptionEventKind.Erasure, actor: 'restore', reason: 'opnieuw verwerkt na het terugzetten van een back-up', mail: false });
        written.push(again);
        erased += 1;
      }
      // The old tombstone is now applied: the database holds it.
      await manager.query('INSERT INTO erasure_tombstone (id) VALUES ($1) ON CONFLICT DO NOTHING', [tombstone.id]);
    });
    appendTombstones(config, written);
  }
  return { tombstones: missing.length, erased };
}
