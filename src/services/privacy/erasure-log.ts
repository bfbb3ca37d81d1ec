/**
 * Opt-outs that outlive a database restore. Restoring a backup (docs/deploy.md, the only
 * recovery path) would bring back everyone who opted out or was erased since the backup, and
 * the next notice would reach them. So every erasure leaves a tombstone in two places: its id
 * in the database (erasure_tombstone, in the erasure's own transaction), and a line in a log
 * outside the database (ERASURE_LOG, default DATA_DIR/erasures.log, on storage a database
 * restore does not touch), appended and flushed once the erasure committed: its id, when, the
 * keyed hashes (contact-counters.ts) of the number and/or user id, never the number itself, and
 * the id of the pseudonymisation key that made them (lib/pseudonym-keys.ts).
 *
 * The log is a required part of production: the service does not start without a writable one.
 * Should an append fail later (disk full, share gone), the erasure still stands (the database is
 * the first record) and keeps its line in erasure_tombstone.pending_line; the keeper
 * (erasure-log-keeper.ts) reports it as an ERROR with a metric and appends the line as soon as
 * the log can be written again. A log that lacks lines the database has written is reported too.
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
import { EventEmitter } from 'node:events';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { contactKeys, type WhatsAppContact } from '../registry/contact';
import { contactHash } from './contact-counters';

/** Anything that answers SQL with rows: a DataSource, a transaction's manager, or the doctor's own connection. */
type Db = Pick<DataSource | EntityManager, 'query'>;

export interface Tombstone {
  id: string;
  /** When the erasure happened (ISO time, the database's clock). */
  at: string;
  /** Keyed hashes of the identities erased. */
  keys: string[];
  /** The identity of the database it was written for; absent in lines from before identities. */
  db?: string;
  /** The id of the pseudonymisation key that made the hashes; absent in lines from before key ids (the legacy key, version 0). */
  key?: string;
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

/**
 * In the erasure's transaction: the database's half of the tombstone, with its log line kept
 * until the log has it. The caller appends it to the log after the commit.
 */
export async function newTombstone(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<Tombstone> {
  const id = randomUUID();
  // now() is the transaction's time: the row's created_at and the line's time are the same moment.
  const [{ at }]: { at: Date }[] = await manager.query('SELECT now() AS at');
  const key = config.pseudonymKeys.current;
  const tombstone: Tombstone = { id, at: at.toISOString(), keys: contactKeys(contact).map((identity) => contactHash(config, identity, key)), db: (await databaseIdentity(manager)).id, key: key.id };
  await manager.query('INSERT INTO erasure_tombstone (id, created_at, pending_line) VALUES ($1, $2, $3)', [id, at, JSON.stringify(tombstone)]);
  return tombstone;
}

/** Told of every append that failed, with the error (the keeper of a running service reports it as an ERROR with a metric). */
export const erasureLogFailures = new EventEmitter<{ failed: [error: ErasureLogWriteError] }>();

/** The file system refused an append (its code: EROFS, ENOSPC, EACCES, EISDIR...). */
export class ErasureLogWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(`the erasure log ${file} cannot be written (${code})`, { cause });
    this.name = 'ErasureLogWriteError';
  }
}

/** Appends lines and flushes them to disk; throws ErasureLogWriteError. */
function writeLines(file: string, lines: string[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'a', 0o600);
    try {
      writeSync(fd, lines.map((line) => `${line}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new ErasureLogWriteError(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message, error);
  }
}

/**
 * Appends committed tombstones, flushes them to disk, and then forgets their pending lines in the
 * database. After the commit, never before: a line of a transaction that then failed would stop
 * all sending for nothing. A log that cannot be written does not undo the erasure (the database
 * holds the line; the keeper appends it later): the failure goes to erasureLogFailures, and
 * false is returned.
 */
export async function appendTombstones(db: DataSource, config: Config, tombstones: Tombstone[]): Promise<boolean> {
  if (tombstones.length === 0) return true;
  const file = erasureLogPath(config);
  try {
    writeLines(file, tombstones.map((t) => JSON.stringify(t)));
  } catch (error) {
    if (!(error instanceof ErasureLogWriteError)) throw error;
    erasureLogFailures.emit('failed', error);
    return false;
  }
  // The erasure has committed: a database that fails here is no reason to report it failed (the keeper forgets these lines later).
  await db.query('UPDATE erasure_tombstone SET pending_line = NULL WHERE id = ANY($1::uuid[])', [tombstones.map((t) => t.id)]).catch(() => undefined);
  return true;
}

/**
 * Appends the lines the log lacks (an append failed, or the process stopped between commit and
 * append) from the database, oldest first; lines already in the log are only forgotten. Rows are
 * locked while written, so two instances never append the same line. Returns how many were
 * appended; throws when the log cannot be written.
 */
export async function appendPendingLines(db: DataSource, config: Config, olderThanSeconds = 5): Promise<number> {
  const file = erasureLogPath(config);
  return db.transaction(async (manager) => {
    const rows: { id: string; pending_line: string }[] = await manager.query(
      `SELECT id::text, pending_line FROM erasure_tombstone
        WHERE pending_line IS NOT NULL AND created_at < now() - ($1::int * interval '1 second')
        ORDER BY created_at LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      [olderThanSeconds],
    );
    if (rows.length === 0) return 0;
    const logged = new Set(readTombstones(config).map((t) => t.id));
    const lacking = rows.filter((row) => !logged.has(row.id));
    if (lacking.length > 0) writeLines(file, lacking.map((row) => row.pending_line));
    await manager.query('UPDATE erasure_tombstone SET pending_line = NULL WHERE id = ANY($1::uuid[])', [rows.map((row) => row.id)]);
    return lacking.length;
  });
}

/** The erasure log against the database: lines still to append, and lines it lost. */
export interface LogGaps {
  /** Erasures whose line the log does not have yet (kept in the database until it does). */
  pending: number;
  /** Erasures the database says were logged that the log does not hold: the log was replaced, truncated, or is not the one every instance shares. */
  lost: number;
}

export async function logGaps(db: Db, config: Config): Promise<LogGaps> {
  // The database first, the log after: a line appended in between (its row then no longer
  // pending) is in the log by the time it is read, never taken for lost.
  const rows: { id: string; pending: boolean }[] = await db.query('SELECT id::text, pending_line IS NOT NULL AS pending FROM erasure_tombstone');
  const logged = new Set(readTombstones(config).map((t) => t.id));
  return { pending: rows.filter((r) => r.pending).length, lost: rows.filter((r) => !r.pending && !logged.has(r.id)).length };
}

/** Opens the log for appending and flushes nothing: throws ErasureLogWriteError when it cannot be written. */
export function probeErasureLog(config: Config): void {
  writeLines(erasureLogPath(config), []);
}

/**
 * Refuses a start whose erasure log cannot be written (a read-only file system, a folder that
 * cannot be made): one line naming the file. Creating it empty is harmless.
 */
export function assertErasureLogWritable(config: Config): void {
  try {
    probeErasureLog(config);
  } catch (error) {
    throw new Error(`${(error as Error).message}: set ERASURE_LOG to a writable file on storage a database restore does not touch (docs/deploy.md, Backup and restore)`, { cause: error });
  }
}

/** The last read of each log file, by its size and modification time: it is read again only when it changed. */
const lastRead = new Map<string, { stamp: string; tombstones: Tombstone[] }>();

/**
 * The log's lines, each id once (two instances may both have appended a pending line). Asked
 * before every Versturen, every dispatcher turn and every keeper pass: the file is read again
 * only when it changed.
 */
export function readTombstones(config: Config): Tombstone[] {
  const file = erasureLogPath(config);
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) return [];
  const stamp = `${stats.size}:${stats.mtimeMs}`;
  const cached = lastRead.get(file);
  if (cached?.stamp === stamp) return cached.tombstones;
  const tombstones = parseTombstones(readFileSync(file, 'utf8'));
  lastRead.set(file, { stamp, tombstones });
  return tombstones;
}

function parseTombstones(text: string): Tombstone[] {
  const byId = new Map<string, Tombstone>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const t = JSON.parse(line) as Tombstone;
      const valid = typeof t.id === 'string' && typeof t.at === 'string' && Array.isArray(t.keys) && (t.db === undefined || typeof t.db === 'string') && (t.key === undefined || typeof t.key === 'string');
      if (valid && !byId.has(t.id)) byId.set(t.id, t);
    } catch {
      // a line cut short by a crash mid-write
    }
  }
  return [...byId.values()];
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
  private tombstones: Tombstone[] = [];
  private checkedAt = 0;
  private last: { missing: number; foreign: number } = { missing: 0, foreign: 0 };

  constructor(private readonly config: Config) {}

  /** How many erasures a restore took away (0: none). */
  async pending(db: Db): Promise<number> {
    return (await this.check(db)).missing;
  }

  async check(db: Db): Promise<{ missing: number; foreign: number }> {
    // A log that changed is checked against the database at once.
    const tombstones = readTombstones(this.config);
    if (tombstones !== this.tombstones) {
      this.tombstones = tombstones;
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
  const what = pending === 1 ? '1 afmelding van sinds de back-up is' : `${pending} afmeldingen van sinds de back-up zijn`;
  return `De database is teruggezet: ${what} nog niet opnieuw verwerkt. Er wordt niets verstuurd tot Team Techniek npm run restore:reapply-erasures heeft uitgevoerd.`;
}
