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
 *
 * Each line names the database it was written for (database_identity, made at the service's first start), so a
 * database created afresh beside an old log, or a second deployment writing the same log, is
 * not taken for a restore: those lines are "of another database", said once in the log and
 * left alone. A restored backup carries its identity with it and is caught as before. Lines
 * written before databases had an identity count as this database's; and since a backup from
 * before then comes back with a new identity, lines of another identity count as this
 * database's too when it holds the tombstone of one of those older lines (it is their writer).
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
  /** When the erasure happened (ISO time, the database's clock). */
  at: string;
  /** Keyed hashes of the identities erased. */
  keys: string[];
  /** The identity of the database it was written for; absent in lines from before identities. */
  db?: string;
}

export interface DatabaseIdentity {
  id: string;
  /** The database held data when it got its identity: lines of other identities older than that may be its own past. */
  adopted: boolean;
  createdAt: Date;
}

/**
 * This database's identity (migration 1765600000000), made when the service first starts on it
 * (app.ts), or on first use by a tool.
 */
export async function databaseIdentity(db: Db): Promise<DatabaseIdentity> {
  await db.query(
    `INSERT INTO database_identity (adopted)
     SELECT EXISTS (SELECT 1 FROM customer) OR EXISTS (SELECT 1 FROM subscriber) OR EXISTS (SELECT 1 FROM erasure_tombstone)
     ON CONFLICT (one_row) DO NOTHING`,
  );
  const [row]: { id: string; adopted: boolean; created_at: Date }[] = await db.query('SELECT id::text, adopted, created_at FROM database_identity');
  return { id: row.id, adopted: row.adopted, createdAt: row.created_at };
}

export function erasureLogPath(config: Config): string {
  return config.erasureLog ?? path.resolve(config.dataDir, 'erasures.log');
}

/** In the erasure's transaction: the database's half of the tombstone. The caller appends it to the log after the commit. */
export async function newTombstone(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<Tombstone> {
  const id = randomUUID();
  const [row]: { created_at: Date }[] = await manager.query('INSERT INTO erasure_tombstone (id) VALUES ($1) RETURNING created_at', [id]);
  return { id, at: row.created_at.toISOString(), keys: contactKeys(contact).map((key) => contactHash(config, key)), db: (await databaseIdentity(manager)).id };
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
        return typeof t.id === 'string' && typeof t.at === 'string' && Array.isArray(t.keys) && (t.db === undefined || typeof t.db === 'string') ? [t] : [];
      } catch {
        return []; // a line cut short by a crash mid-write
      }
    });
}

/** What the log says about this database. */
export interface LogCheck {
  /** This database's tombstones it does not hold: it was restored from a backup. */
  missing: Tombstone[];
  /** Lines of another database (one created afresh here, or another deployment's), left alone. */
  foreign: number;
}

export async function checkLog(db: Db, tombstones: Tombstone[]): Promise<LogCheck> {
  if (tombstones.length === 0) return { missing: [], foreign: 0 };
  const identity = await databaseIdentity(db);
  const known: { id: string }[] = await db.query('SELECT id::text FROM erasure_tombstone WHERE id = ANY($1::uuid[])', [tombstones.map((t) => t.id)]);
  const held = new Set(known.map((k) => k.id));
  const older = tombstones.filter((t) => t.db === undefined);
  // Holding an older line's tombstone makes this database their writer, whatever its identity now.
  const writerOfOlder = older.some((t) => held.has(t.id));
  // A database that held data when it got its identity may be a backup restored from before
  // identities: the lines written before that moment are taken as its own (a restore is caught;
  // at worst another deployment's old lines stop sending until an operator looks).
  const ours = tombstones.filter((t) => t.db === undefined || t.db === identity.id || writerOfOlder || (identity.adopted && Date.parse(t.at) < identity.createdAt.getTime()));
  return { missing: ours.filter((t) => !held.has(t.id)), foreign: tombstones.length - ours.length };
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
  private last: { missing: number; foreign: number } = { missing: 0, foreign: 0 };

  constructor(private readonly config: Config) {}

  /** How many erasures a restore took away (0: none). */
  async pending(db: Db): Promise<number> {
    return (await this.check(db)).missing;
  }

  async check(db: Db): Promise<{ missing: number; foreign: number }> {
    const file = erasureLogPath(this.config);
    const stats = statSync(file, { throwIfNoEntry: false });
    const stamp = stats ? `${stats.size}:${stats.mtimeMs}` : 'none';
    if (stamp !== this.stamp) {
      this.tombstones = readTombstones(this.config);
      this.stamp = stamp;
      this.checkedAt = 0;
    }
    if (Date.now() - this.checkedAt > 10_000) {
      const found = await checkLog(db, this.tombstones);
      this.last = { missing: found.missing.length, foreign: found.foreign };
      this.checkedAt = Date.now();
    }
    return this.last;
  }

  detected(missing: number): string {
    return restoreDetected(this.config, missing);
  }

  foreign(count: number): string {
    return foreignLog(this.config, count);
  }
}

/** For the operator's log, when a restore took erasures away. */
export function restoreDetected(config: Config, missing: number): string {
  return `the database was restored: ${missing} erasure(s) in the erasure log ${erasureLogPath(config)} are missing from it; no notice is sent until npm run restore:reapply-erasures has run`;
}

/** For the operator's log, once, when the erasure log also holds another database's lines. */
export function foreignLog(config: Config, foreign: number): string {
  return `the erasure log ${erasureLogPath(config)} holds ${foreign} erasure(s) of another database (this database was created afresh, or another deployment writes the same log); they are not taken for a restore of this one: if this database is new, move the old log aside; if another deployment shares it, give each its own ERASURE_LOG`;
}

/** In Dutch for staff, when sending is refused after a restore. */
export function restoreRefusal(pending: number): string {
  return `De database is teruggezet: ${pending} afmelding(en) van na de back-up zijn nog niet opnieuw verwerkt. Er wordt niets verstuurd tot Team Techniek npm run restore:reapply-erasures heeft uitgevoerd.`;
}
