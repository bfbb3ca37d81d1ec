/**
 * After a database restore (docs/deploy.md, Backup and restore): erases again whoever opted out
 * or was erased after the backup, from the erasure log's tombstones the database does not hold
 * (erasure-log.ts). Only a subscriber row older than the tombstone is erased: whoever signed up
 * again afterwards stays. No AVG e-mail goes out again (it went out at the time). Run by
 * `npm run restore:reapply-erasures`; until then no notice is sent.
 *
 * It cannot report success wrongly: every line is matched with the very key that made it (its
 * key id, lib/pseudonym-keys.ts). When a line's key is not among the keys this run has (a shell
 * without the service's PSEUDONYM_KEYS, a key version dropped too early), nothing is changed and
 * the step stops: sending stays blocked. A tombstone is recorded as applied only once its
 * erasure was applied with its own key.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { Subscriber, SubscriptionEventKind } from '../../entities';
import { keyById, type PseudonymKey } from '../../lib/pseudonym-keys';
import { contactKeys, lockContact } from '../registry/contact';
import { contactHash } from './contact-counters';
import { eraseSubscriber } from './erasure';
import { appendTombstones, assertErasureLogWritable, checkLog, databaseIdentity, readTombstones, type Tombstone } from './erasure-log';

export interface ReapplyResult {
  /** This database's identity (the lines of the log are matched against it). */
  database: string;
  /** Tombstones of this database it did not hold, now applied. */
  tombstones: number;
  /** Of those, how many matched a subscriber row older than the erasure... */
  matched: number;
  /** ...and how many matched nobody (that person signed up only after the backup, or is gone already). */
  unmatched: number;
  /** Subscriber rows erased again. */
  erased: number;
  /** Lines of other databases in the log, left alone. */
  foreign: number;
  /** Of the tombstones, lines from before key ids, matched with the legacy version 0 (which nothing can verify). */
  legacy: number;
}

/** The step stops and changes nothing: lines it cannot match with the keys it has. */
export class UnmatchableLinesError extends Error {
  constructor(
    readonly lines: number,
    readonly keyIds: string[],
  ) {
    super(
      `${lines} line(s) of the erasure log were made with pseudonymisation key ${keyIds.join(', ')}, which this run does not have: nothing was changed and sending stays blocked. Run the step with the service's environment (PSEUDONYM_KEYS with every version it had since the backup; docs/deploy.md, Pseudonymisation key).\n` +
        `${lines === 1 ? '1 regel van het afmeldlogboek is' : `${lines} regels van het afmeldlogboek zijn`} gemaakt met ${keyIds.length === 1 ? `sleutel ${keyIds[0]}, die` : `de sleutels ${keyIds.join(', ')}, die`} bij deze uitvoering ${keyIds.length === 1 ? 'ontbreekt' : 'ontbreken'}: er is niets veranderd en er wordt nog steeds niets verstuurd. Voer de stap uit met de omgeving van de dienst (PSEUDONYM_KEYS met elke versie sinds de back-up).`,
    );
    this.name = 'UnmatchableLinesError';
  }
}

export async function reapplyErasures(dataSource: DataSource, config: Config): Promise<ReapplyResult> {
  const database = (await databaseIdentity(dataSource)).id;
  const { missing, foreign } = await checkLog(dataSource, readTombstones(config));
  const none = { database, tombstones: 0, matched: 0, unmatched: 0, erased: 0, foreign, legacy: 0 };
  if (missing.length === 0) return none;
  // Without PSEUDONYM_KEYS (a tool's shell without the service's environment) this stops here, with the setting's line.
  void config.pseudonymKeys.current;
  // Every line's own key first: one line this run cannot read stops it before anything changes.
  const keyOf = new Map<Tombstone, PseudonymKey>();
  const unreadable = new Set<string>();
  for (const tombstone of missing) {
    const key = keyById(config.pseudonymKeys, tombstone.key);
    if (key) keyOf.set(tombstone, key);
    else unreadable.add(tombstone.key ?? '0 (the WhatsApp app secret of before key versions)');
  }
  if (unreadable.size > 0) throw new UnmatchableLinesError(missing.length - keyOf.size, [...unreadable]);
  // The erasures this step makes are logged too: the log must take them before anything changes.
  assertErasureLogWritable(config);

  // Every subscriber by the keyed hash of each identity, under each key the lines were made with.
  const subscribers = await dataSource.getRepository(Subscriber).find();
  const byKey = new Map<string, Subscriber>();
  for (const key of new Set(keyOf.values())) {
    for (const subscriber of subscribers) for (const identity of contactKeys(subscriber)) byKey.set(`${key.id}/${contactHash(config, identity, key)}`, subscriber);
  }
  let matched = 0;
  let erased = 0;
  for (const tombstone of missing) {
    const key = keyOf.get(tombstone) as PseudonymKey;
    const matches = [...new Set(tombstone.keys.map((hash) => byKey.get(`${key.id}/${hash}`)).filter((s): s is Subscriber => s !== undefined && s.createdAt < new Date(tombstone.at)))];
    if (matches.length > 0) matched += 1;
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
      // Applied with its own key: the database now holds it.
      await manager.query('INSERT INTO erasure_tombstone (id) VALUES ($1) ON CONFLICT DO NOTHING', [tombstone.id]);
    });
    await appendTombstones(dataSource, config, written);
  }
  return { database, tombstones: missing.length, matched, unmatched: missing.length - matched, erased, foreign, legacy: missing.filter((t) => t.key === undefined).length };
}
