/**
 * `npm run bench [-- --subscribers N] [--storm] [--instances N] [--kill-leader] [--ledger-rows N] [--profile] [--storm-only] [--json]`: the
 * figures of docs/architecture.md (Targets) on this machine, each throughput also as a ratio to the raw HTTP floor
 * measured first in the same run. Real PostgreSQL (DATABASE_URL or an embedded one), the
 * production code, the Graph API stand-in in a process of its own. --storm adds the load of
 * production (scripts/bench/storm.ts). An opt-out is measured on a ledger of --ledger-rows delivery
 * rows (5 million unless given; 0 skips it, scripts/bench/opt-out.ts).
 *
 * `npm run bench` runs this process with the service's heap flags (docs/deploy.md): the classic
 * figures run the dispatcher and the app in it as in production (its peak RSS also holds the
 * bench's own modules, pool and seeding); its helper processes run without them (bench/harness.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabase, openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { createLogger } from '../src/logger';
import { runClassic, seedBenchSubscribers, type ClassicFigures } from './bench/classic';
import { measureFloor } from './bench/floor';
import { startGraph } from './bench/graph';
import { postgresCpuSeconds, round } from './bench/numbers';
import { runOptOut, type OptOutFigures } from './bench/opt-out';
import { runStorm, type FailoverFigures, type StormFigures } from './bench/storm';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const STORM = args.includes('--storm') || args.includes('--storm-only') || args.includes('--kill-leader') || args.includes('--instances');
const KILL_LEADER = args.includes('--kill-leader');
const INSTANCES = Number(option('--instances') ?? (KILL_LEADER ? 2 : 1));
const SUBSCRIBERS = Number(option('--subscribers') ?? 100_000);
const JSON_OUT = args.includes('--json');
/** Profiles the storm's instances (--cpu-prof) and reports their top CPU consumers; sampling costs a little CPU itself. */
const PROFILE = args.includes('--profile');
/** Only the storm (and the opt-out): for a quicker round while working on the storm's costs. */
const STORM_ONLY = args.includes('--storm-only');
/** The ledger an opt-out is measured on (0 skips it). */
const LEDGER_ROWS = Number(option('--ledger-rows') ?? 5_000_000);
const logger = createLogger({ level: 'warn', pretty: false, destination: process.stderr });

interface ClassicResults extends ClassicFigures {
  ceilingToFloorRatio: number;
  rateToFloorRatio: number;
  statusWebhooksToFloorRatio: number;
  peakRssMb: number;
}

interface Results extends Partial<ClassicResults> {
  machine: string;
  subscribers: number;
  floorRequestsPerSecond: number;
  storm?: StormFigures & { sendsToFloorRatio: number; webhooksToFloorRatio: number };
  failover?: FailoverFigures;
  optOut?: OptOutFigures;
}

/** The storm's audience: N active subscribers of one customer, nobody else. */
async function seedStorm(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(`INSERT INTO customer (customer_number, name, regions) VALUES ('STORM-1', 'Storm BV', '{UT}') RETURNING id`);
    await client.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31600000000 + g)::text, 'Storm', $1, 'active' FROM generate_series(1, $2) g`, [rows[0].id, SUBSCRIBERS]);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function dropDatabases(serverUrl: string, names: string[]): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  if (KILL_LEADER && INSTANCES < 2) throw new Error('--kill-leader needs --instances 2 or more');
  const tempDir = process.env.DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-bench-'));
  // pg_stat_statements counts the storm's statements (on a DATABASE_URL server, where it is loaded).
  const server = tempDir ? await startEmbeddedPostgres({ dataDir: tempDir, settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_utility': 'on', 'pg_stat_statements.track_planning': 'on' } }) : undefined;
  const serverUrl = process.env.DATABASE_URL ?? server!.url;
  // Databases of this run: on a server of the operator's (DATABASE_URL) they are dropped at the end.
  const created = ['bench', 'storm', 'ledger'].map((name) => `${name}_${randomBytes(4).toString('hex')}`);
  const url = await ensureDatabase(serverUrl, created[0]);
  const database = await openDatabase({ url, dataDir: tempDir ?? '.data', logger, poolSize: 20 });
  const graph = await startGraph();
  let results: Results;
  try {
    const floor = await measureFloor();
    results = {
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      subscribers: SUBSCRIBERS,
      floorRequestsPerSecond: Math.round(floor),
    };
    if (!STORM_ONLY) {
      await seedBenchSubscribers(database.dataSource, SUBSCRIBERS);
      const classic = await runClassic(database, graph, logger);
      Object.assign(results, {
        ...classic,
        ceilingToFloorRatio: round(classic.ceilingSendsPerSecond / floor, 3),
        rateToFloorRatio: round(classic.rateAt1000 / floor, 3),
        statusWebhooksToFloorRatio: round(classic.statusWebhooksPerSecond / floor, 3),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      });
    }
    if (STORM) {
      // A database of its own, empty: the instances migrate it as they start, all at once.
      const stormUrl = await ensureDatabase(serverUrl, created[1]);
      // PostgreSQL's CPU is read from /proc when it is the embedded server of this run.
      const postgresCpu = server ? () => postgresCpuSeconds(path.join(server.dataDir, 'cluster')) : undefined;
      const profileDir = PROFILE ? mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-profile-')) : undefined;
      const { storm, failover } = await runStorm({ databaseUrl: stormUrl, graph, subscribers: SUBSCRIBERS, instances: INSTANCES, killLeader: KILL_LEADER, seed: seedStorm, postgresCpu, profileDir });
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      results.storm = { ...storm, sendsToFloorRatio: round(storm.sendsPerSecond / floor, 3), webhooksToFloorRatio: round(storm.webhooksPerSecond / floor, 3) };
      if (failover) results.failover = failover;
    }
    if (LEDGER_ROWS > 0) {
      const ledgerUrl = await ensureDatabase(serverUrl, created[2]);
      const ledger = await openDatabase({ url: ledgerUrl, dataDir: tempDir ?? '.data', logger, poolSize: 4 });
      try {
        results.optOut = await runOptOut(ledger, ledgerUrl, LEDGER_ROWS);
      } finally {
        await ledger.close();
      }
    }
  } finally {
    graph.child.kill();
    await database.close();
    if (!server) await dropDatabases(serverUrl, created);
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  process.stdout.write(JSON_OUT ? `${JSON.stringify(results)}\n` : table(results));
}

function table(r: Results): string {
  const rows: [string, string, string][] = [
    ['machine', r.machine, ''],
    ['subscribers', String(r.subscribers), ''],
    ['raw HTTP floor (keep-alive, 256 in flight)', `${r.floorRequestsPerSecond} requests/s`, 'this machine, this run'],
  ];
  if (r.snapshotMs !== undefined) rows.push(...classicRows(r as Results & ClassicResults));
  rows.push(...restRows(r));
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  return `${rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padEnd(valueWidth)}  ${c}`.trimEnd()).join('\n')}\n`;
}

const ratio = (x: number) => `(${x} of the floor)`;

function classicRows(r: Results & ClassicResults): [string, string, string][] {
  return [
    ['audience snapshot', `${r.snapshotMs} ms`, '< 2000 ms at 100k'],
    ['dispatcher ceiling (MAX_MPS above capacity)', `${r.ceilingSendsPerSecond} sends/s ${ratio(r.ceilingToFloorRatio)}`, '>= 1000/s'],
    ['rate at WHATSAPP_MAX_MPS=1000', `${r.rateAt1000}/s (accuracy ${r.rateAccuracy}) ${ratio(r.rateToFloorRatio)}`, '>= 0.95'],
    ['max sends in any 1-s window at 1000: arriving / leaving', `${r.maxInAnySecondAt1000} / ${r.maxInAnySecondDepartingAt1000}`, '<= 1000'],
    ['Send -> first request p50 / p95', `${r.sendToFirstRequestP50Ms} / ${r.sendToFirstRequestP95Ms} ms`, 'p95 < 500 ms'],
    ['status webhooks (signed, one status each, from another process)', `${r.statusWebhooksPerSecond}/s, p99 ${r.statusWebhookP99Ms} ms ${ratio(r.statusWebhooksToFloorRatio)}`, '>= 3000/s'],
    ['peak RSS (bench process: dispatcher + app, heap flags of the service)', `${r.peakRssMb} MB`, '< 200 MB'],
  ];
}

function restRows(r: Results): [string, string, string][] {
  const rows: [string, string, string][] = [];
  if (r.storm) {
    const s = r.storm;
    rows.push(
      ['storm: instances', String(s.instances), ''],
      ['storm: Versturen -> last send', `${s.finishSeconds} s`, '<= 105 s at 100k'],
      ['storm: send rate', `${s.sendsPerSecond}/s (accuracy ${s.rateAccuracy}) ${ratio(s.sendsToFloorRatio)}`, '>= 0.95'],
      ['storm: max sends in any 1-s window', String(s.maxInAnySecond), '<= 1000'],
      ['storm: webhooks during the broadcast', `${s.webhooksPerSecond}/s (${s.statusCallbacksPerSecond} statuses/s) ${ratio(s.webhooksToFloorRatio)}`, ''],
      ['storm: webhook latency p50 / p99', `${s.webhookP50Ms} / ${s.webhookP99Ms} ms`, 'p99 < 100 ms'],
      ['storm: webhook 5xx (connection errors)', `${s.webhook5xx} (${s.webhookConnectionErrors})`, '0'],
      ['storm: ledger exact', `${s.ledgerExact}${s.ledgerMismatches ? ` (${s.ledgerMismatches} off)` : ''}`, 'true'],
      ['storm: peak RSS per instance', `${s.instanceRssMb.join(', ')} MB (callback player ${s.graphRssMb} MB)`, '< 250 MB'],
      ['storm: CPU per 1,000 messages (send + callbacks)', `service ${s.cpuPer1000.service} s, PostgreSQL ${s.cpuPer1000.postgres ?? 'n/a (not local)'} s`, '<= 0.5 s together'],
      ['storm: statements per message (pg_stat_statements)', String(s.statementsPerMessage ?? 'n/a (not loaded)'), ''],
    );
    // A server without pg_stat_statements.track_planning counts no plans at all.
    for (const t of s.topStatements ?? []) rows.push(['  statement', `${t.ms} ms in ${t.calls} calls, ${t.plans > 0 ? `planned ${t.plans} times (${t.planMs} ms)` : 'plans not tracked'}`, t.query]);
    if (s.profile) {
      rows.push(['storm: service CPU profiled', `${s.profile.busyMs} ms busy`, '']);
      for (const c of s.profile.topFunctions) rows.push(['  function', `${c.ms} ms (${Math.round(c.share * 100)}%)`, c.name]);
      for (const c of s.profile.topParts) rows.push(['  part', `${c.ms} ms (${Math.round(c.share * 100)}%)`, c.name]);
    }
  }
  if (r.failover) {
    const f = r.failover;
    rows.push(
      ['failover: dispatcher killed at 30%, next send after', `${f.takeoverMs} ms`, '< 5000 ms'],
      ['failover: recipients lost', String(f.lost), '0'],
      ['failover: duplicate sends', `${f.duplicates} (window ${f.duplicateWindow})`, `<= ${f.duplicateWindow}`],
    );
  }
  if (r.optOut) {
    const o = r.optOut;
    rows.push(
      ['ledger for the opt-out (seeded in)', `${o.ledgerRows} delivery rows (${o.seedSeconds} s)`, ''],
      ['opt-out (the whole erasure, one transaction) p50 / p95 / max', `${o.optOutP50Ms} / ${o.optOutP95Ms} / ${o.optOutMaxMs} ms`, '< 20 ms at 5 million rows'],
      ['retention (30 days): a night with one notice to forget', `${o.retentionMs} ms (${o.retentionRows} rows)`, ''],
    );
  }
  return rows;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.message}\n`);
    process.exit(1);
  },
);
