/**
 * The erasure log (services/privacy/erasure-log.ts) against the database: it can be written, it
 * holds every erasure the database says it logged, none waits to be appended, and no restore
 * waits for `npm run restore:reapply-erasures`.
 */
import type { Config } from '../config';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { checkLog, erasureLogPath, logGaps, readTombstones } from '../services/privacy/erasure-log';
import { fail, ok, reason, type CheckResult } from './check';

const NAME = 'erasure log';

/** rows: runs SQL on the database and answers its rows. */
export async function checkErasureLog(config: Config, rows: <T>(sql: string, parameters?: unknown[]) => Promise<T>): Promise<CheckResult> {
  const file = erasureLogPath(config);
  try {
    // Asked, not tried: the doctor may run as another user, and must not create the file as that user.
    erasureLogAccess(file);
  } catch (error) {
    return fail(NAME, reason(error), 'give the service a writable folder for it that a database restore does not touch (systemd: StateDirectory=storingsmelder, which makes it /var/lib/storingsmelder/erasures.log)');
  }
  const db = { query: rows };
  try {
    return await compare(config, db, file);
  } catch (error) {
    return fail(NAME, `${file} could not be compared with the database: ${reason(error)}`, 'run the doctor again; if it persists, check that the log is a readable file');
  }
}

async function compare(config: Config, db: { query: <T>(sql: string, parameters?: unknown[]) => Promise<T> }, file: string): Promise<CheckResult> {
  const { pending, lost } = await logGaps(db, config);
  if (pending > 0) return fail(NAME, `${file}: ${pending} erasure(s) are not in it yet (an append failed; the database keeps their lines)`, 'make the log writable again: the service appends them within seconds (its log says why the append failed)');
  if (lost > 0) return fail(NAME, `${file} lacks ${lost} erasure(s) the database logged: it was replaced or cut short, or not every instance writes this one`, 'put back the log from its backup (or point every instance at the one shared log); a restore is only detected for erasures the log holds');
  const { missing, foreign } = await checkLog(db, readTombstones(config));
  if (missing.length > 0) return fail(NAME, `${file}: the database was restored, ${missing.length} erasure(s) since the backup are not applied again (no notice is sent)`, 'npm run restore:reapply-erasures');
  return ok(NAME, `${file} writable, every erasure of the database in it${foreign > 0 ? ` (${foreign} line(s) of another database left alone)` : ''}`);
}

/** Throws unless the log (or, before it exists, the nearest folder above it) may be written. */
function erasureLogAccess(file: string): void {
  let target = file;
  while (!existsSync(target) && path.dirname(target) !== target) target = path.dirname(target);
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    throw new Error(`the erasure log ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'not writable'})`, { cause: error });
  }
}
