/**
 * Opt-outs that outlive a database restore. Restoring a backup (docs/deploy.md, the only
 * recovery path) would bring back everyone who opted out or was erased since the backup, and
 * the next notice would reach them. So every erasure leaves a tombstone in two places: its id
 * in the database (erasure_tombstone, in the erasure's own transaction), and a line in a log
 * outside the database (ERASURE_LOG, default DATA_DIR/erasures.log, on storage a database
 * restore does not touch), appended and flushed once the erasure committed: its id, when, and
 * the keyed hashes (contact-counters.ts) of the number and/or user id, never the number itself.
 * A line whose id the database does not know means a restore: sending is refused
 * (RestoreGuard) until `npm run restore:reapply-erasures` (reapplyErasures) has erased again
 * whoever came back.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { contactKeys, type WhatsAppContact } from '../registry/contact';
import { contactHash } from './contact-counters';

type Db = DataSource | EntityManager;

export interface Tombstone {
  id: string;
  /** When the erasure happened (ISO time). */
  at: string;
  /** Keyed hashes of the identities erased. */
  keys: string[];
}

export function erasureLogPath(config: Config): string {
  return config.erasureLog ?? path.resolve(config.dataDir, 'erasures.log');
}

/** In the erasure's transaction: the database's half of the tombstone. The caller appends it to the log after the commit. */
export async function newTombstone(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<Tombstone> {
  const tombstone: Tombstone = { id: randomUUID(), at: new Date().toISOString(), keys: contactKeys(contact).map((key) => contactHash(config, key)) };
  await manager.query('INSERT INTO erasure_tombstone (id) VALUES ($1)', [tombstone.id]);
  return tombstone;
}

/**
 * Appends committed tombstones and flushes them to disk. After the commit, never before: a line
 * of a transaction that then failed would stop all sending for nothing. (A crash in the moment
 * between the commit and this write loses the line; only a later restore would then miss it.)
 */
export function appendTombstones(config: Config, tombstones: Tombstone[]): void {
  if (tombstones.length === 0) return;
  const file = erasureLogPath(config);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'a', 0o600);
    try {
      writeSync(fd, tombstones.map((t) => `${JSON.stringify(t)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    // The erasure is committed and stays so: a log that cannot be written (disk full, share
    // gone) must not turn it into an error. Only a later restore would miss this tombstone.
    process.emitWarning(`erasure log ${file} not written: ${(error as Error).message}`, 'StoringsmelderErasureLog');
  }
}

export function readTombstones(config: Config): Tombstone[] {
  const file = erasureLogPath(config);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        const t = JSON.parse(line) as Tombstone;
        return typeof t.id === 'string' && typeof t.at === 'string' && Array.isArray(t.keys) ? [t] : [];
      } catch {
        return []; // a line cut short by a crash mid-write
      }
    });
}

/** Tombstones in the log whose erasure the database does not hold: after a restore. */
export async function missingTombstones(db: Db, tombstones: Tombstone[]): Promise<Tombstone[]> {
  if (tombstones.length === 0) return [];
  const known: { id: string }[] = await db.query('SELECT id::text FROM erasure_tombstone WHERE id = ANY($1::uuid[])', [tombstones.map((t) => t.id)]);
  const ids = new Set(known.map((k) => k.id));
  return tombstones.filter((t) => !ids.has(t.id));
}

/**
 * Asked before every Versturen and every turn of the dispatcher: the log is read again only when
 * it changed, the database asked at most every 10 s (a restore happens with the service stopped,
 * or is noticed within seconds).
 */
export class RestoreGuard {
  private stamp = '';
  private tombstones: Tombstone[] = [];
  private checkedAt = 0;
  private missing = 0;

  constructor(private readonly config: Config) {}

  async pending(db: Db): Promise<number> {
    const file = erasureLogPath(this.config);
    const stats = statSync(file, { throwIfNoEntry: false });
    const stamp = stats ? `${stats.size}:${stats.mtimeMs}` : 'none';
    if (stamp !== this.stamp) {
      this.tombstones = readTombstones(this.config);
      this.stamp = stamp;
      this.checkedAt = 0;
    }
    if (Date.now() - this.checkedAt > 10_000) {
      this.missing = (await missingTombstones(db, this.tombstones)).length;
      this.checkedAt = Date.now();
    }
    return this.missing;
  }
}

/** In Dutch for staff, when sending is refused after a restore. */
export function restoreRefusal(pending: number): string {
  return `De database is teruggezet: ${pending} afmelding(en) van na de back-up zijn nog niet opnieuw verwerkt. Er wordt niets verstuurd tot Team Techniek npm run restore:reapply-erasures heeft uitgevoerd.`;
}
