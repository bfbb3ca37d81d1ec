/** The database: reachable with the configured URL (or the embedded one), and every migration applied. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config';
import { describe } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { MIGRATIONS } from '../migrations';
import { fail, ok, reason, skip, type CheckResult } from './check';
import { checkErasureLog } from './erasure-log-check';
import type { PauseReason } from '../services/notices/notice-lifecycle';
import { pauseForDoctor } from '../services/notices/pause-reasons';

const NAME = 'database';

/** The database, and (when it is current) any broadcast Meta stopped: the same reason staff see on the status card. */
export async function checkDatabase(config: Config): Promise<CheckResult[]> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dataDir = path.resolve(config.dataDir, 'postgres');
    if (!existsSync(path.join(dataDir, 'cluster', 'PG_VERSION')) && !existsSync(path.join(dataDir, 'password'))) {
      return [skip(NAME, `DATABASE_URL not set: the embedded PostgreSQL under ${dataDir} is created by the first npm start (local mode)`)];
    }
    try {
      const server = await startEmbeddedPostgres({ dataDir });
      stopEmbedded = () => server.stop();
      url = server.url.replace(/\/postgres$/, '/storingsmelder');
    } catch (error) {
      return [fail(NAME, `the embedded PostgreSQL does not start: ${reason(error)}`, 'set DATABASE_URL to a PostgreSQL server, or remove .data/postgres to let npm start create it again')];
    }
  }
  const where = describe(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'storingsmelder-doctor' });
  try {
    await client.connect();
    // server_version may carry the packager's suffix ("15.20 (Debian 15.20-0+deb12u1)"): keep the number.
    const [{ version }] = (await client.query(`SELECT split_part(current_setting('server_version'), ' ', 1) AS version`)).rows as { version: string }[];
    const table = (await client.query<{ t: string | null }>(`SELECT to_regclass('typeorm_migrations') AS t`)).rows[0].t;
    const applied = new Set(table ? ((await client.query('SELECT name FROM typeorm_migrations')).rows as { name: string }[]).map((r) => r.name) : []);
    const pending = MIGRATIONS.map((m) => new m().name ?? m.name).filter((name) => !applied.has(name));
    if (pending.length > 0) {
      return [fail(NAME, `${where} reachable (PostgreSQL ${version}), but ${pending.length} of ${MIGRATIONS.length} migrations not applied (${pending.join(', ')})`, 'run npm run migrate (the service also migrates when it starts)')];
    }
    const paused = (await client.query<{ scope: PauseReason['scope']; code: number | null; n: number }>(
      `SELECT pause_scope AS scope, pause_code AS code, count(*)::int AS n FROM outage_message WHERE status = 'paused' AND pause_scope IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1`,
    )).rows;
    const current = ok(NAME, `${where} reachable (PostgreSQL ${version}), migrations current (${MIGRATIONS.length} of ${MIGRATIONS.length})`);
    const erasureLog = await checkErasureLog(config, async <T,>(sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows as T);
    if (paused.length === 0) return [current, erasureLog];
    const why = pauseForDoctor({ scope: paused[0].scope, code: paused[0].code }, paused[0].n);
    return [current, erasureLog, fail('broadcasts', why.detail, why.fix)];
  } catch (error) {
    return [fail(NAME, `${where} cannot be reached: ${reason(error)}`, 'check host, port, database, user and password in DATABASE_URL; a managed PostgreSQL usually needs ?sslmode=require at the end')];
  } finally {
    await client.end().catch(() => undefined);
    await stopEmbedded?.();
  }
}
