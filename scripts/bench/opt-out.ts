/**
 * An opt-out and retention on a large ledger (issue 28): the ledger seeded as years of use leave
 * it (ledger-seed.ts), then the production erasure (privacy/erasure.ts, everything an opt-out
 * does in the database, in its own transaction) for subscribers picked across the ledger, and
 * retention's nightly run once (one notice, of five weeks ago, has crossed the period).
 */
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { Subscriber, SubscriptionEventKind } from '../../src/entities';
import { forgetOldRecipients } from '../../src/services/ledger/delivery-ledger';
import { eraseSubscriber } from '../../src/services/privacy/erasure';
import { seedLedger } from './ledger-seed';
import { percentile, round } from './numbers';

const OPT_OUTS = 50;
/** Retention's period for the bench: the seeded notice of five weeks ago has crossed it, the four since have not. */
const RETENTION_DAYS = 30;

export interface OptOutFigures {
  ledgerRows: number;
  seedSeconds: number;
  optOutP50Ms: number;
  optOutP95Ms: number;
  optOutMaxMs: number;
  retentionMs: number;
  retentionRows: number;
}

export async function runOptOut(database: Database, url: string, ledgerRows: number): Promise<OptOutFigures> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const seeded = Date.now();
  try {
    const { subscribers } = await seedLedger(client, ledgerRows);
    const seedSeconds = round((Date.now() - seeded) / 1000, 1);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery');
    const config = loadConfig({ LOG_LEVEL: 'warn' }, { purpose: 'local' });
    const repository = database.dataSource.getRepository(Subscriber);
    const all = await repository.find({ select: { id: true }, order: { phone: 'ASC' } });
    const times: number[] = [];
    for (let i = 0; i < OPT_OUTS; i++) {
      const { id } = all[Math.floor(((i + 0.5) * subscribers) / OPT_OUTS)];
      const subscriber = await repository.findOneByOrFail({ id });
      const started = process.hrtime.bigint();
      await database.dataSource.transaction((manager) => eraseSubscriber(manager, config, subscriber, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber' }));
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const retentionStarted = process.hrtime.bigint();
    const retentionRows = await forgetOldRecipients(database.dataSource, RETENTION_DAYS, config.pseudonymKeys.current.secret);
    const retentionMs = Number(process.hrtime.bigint() - retentionStarted) / 1e6;
    return {
      ledgerRows: rows[0].n,
      seedSeconds,
      optOutP50Ms: round(percentile(times, 50), 1),
      optOutP95Ms: round(percentile(times, 95), 1),
      optOutMaxMs: round(Math.max(...times), 1),
      retentionMs: round(retentionMs, 1),
      retentionRows,
    };
  } finally {
    await client.end();
  }
}
