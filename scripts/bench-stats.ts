/**
 * `npm run bench:stats`: how fast GET /api/stats's figures are at 100,000 subscribers and
 * 1,000,000 deliveries (20 notices of 50,000), on an embedded PostgreSQL or DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase, openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { createLogger } from '../src/logger';
import { loadStats } from '../src/services/stats/stats';

async function main(): Promise<void> {
  const logger = createLogger({ level: 'warn', pretty: false, destination: process.stderr });
  const tempDir = process.env.DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-stats-'));
  const server = tempDir ? await startEmbeddedPostgres({ dataDir: tempDir }) : undefined;
  const url = await ensureDatabase(process.env.DATABASE_URL ?? server!.url, `stats_${randomBytes(4).toString('hex')}`);
  const database = await openDatabase({ url, dataDir: tempDir ?? '.data', logger, poolSize: 4 });
  const db = database.dataSource;
  try {
    const seeded = Date.now();
    await db.query(`INSERT INTO customer (customer_number, name, regions) SELECT 'C-' || g, 'Klant ' || g, '{UT}' FROM generate_series(1, 2000) g`);
    await db.query(
      `INSERT INTO subscriber (phone, first_name, customer_id, status)
       SELECT (31600000000 + g)::text, 'Naam', (SELECT id FROM customer WHERE customer_number = 'C-' || (1 + g % 2000)), CASE WHEN g % 50 = 0 THEN 'pending_name'::subscriber_status ELSE 'active' END
         FROM generate_series(1, 100000) g`,
    );
    await db.query(`INSERT INTO subscription_event (kind, customer_id, occurred_at) SELECT CASE WHEN g % 7 = 0 THEN 'opt_out'::subscription_event_kind ELSE 'opt_in' END, NULL, now() - (g % 180) * interval '1 day' FROM generate_series(1, 120000) g`);
    const [outage]: { id: string }[] = await db.query(`INSERT INTO outage (service, scope, severity, created_by) VALUES ('internet', 'landelijk', 'hoog', 'bench') RETURNING id`);
    for (let i = 0; i < 20; i++) {
      const [message]: { id: string }[] = await db.query(
        `INSERT INTO outage_message (outage_id, kind, text, template_parameters, status, created_by, released_at) VALUES ($1, 'update', 't', '[]', 'done', 'bench', now() - $2 * interval '1 hour') RETURNING id`,
        [outage.id, i],
      );
      await db.query(
        `INSERT INTO delivery (outage_message_id, subscriber_id, phone, status, delivered_at)
         SELECT $1, s.id, s.phone, (CASE g % 10 WHEN 0 THEN 'failed' WHEN 1 THEN 'sent' WHEN 2 THEN 'read' ELSE 'delivered' END)::delivery_status,
                CASE WHEN g % 10 > 1 THEN now() - $2 * interval '1 hour' + (g % 300) * interval '1 second' END
           FROM (SELECT id, phone, row_number() OVER () AS g FROM subscriber LIMIT 50000) s`,
        [message.id, i],
      );
    }
    await db.query('ANALYZE');
    const seedSeconds = (Date.now() - seeded) / 1000;
    const timings: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = process.hrtime.bigint();
      await loadStats(db);
      timings.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    timings.sort((a, b) => a - b);
    process.stdout.write(`/api/stats at 100,000 subscribers and 1,000,000 deliveries (${os.cpus().length} cores; seeded in ${seedSeconds.toFixed(0)} s): median ${timings[3].toFixed(0)} ms, slowest ${timings[6].toFixed(0)} ms over 7 runs\n`);
  } finally {
    await database.close();
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:stats failed: ${error.message}\n`);
    process.exit(1);
  },
);
