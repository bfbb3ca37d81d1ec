/**
 * `npm run bench [-- --subscribers N] [--json]`: the figures of DESIGN.md §6 on this machine.
 * Real PostgreSQL (DATABASE_URL or an embedded one), the production dispatcher and webhook, and
 * a Graph API stand-in in a separate process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { ensureDatabase, openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { Customer, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../src/entities';
import { createLogger } from '../src/logger';
import { Dispatcher } from '../src/services/dispatcher/dispatcher';
import { notifyDeliveriesReady } from '../src/services/dispatcher/ledger-sql';
import { snapshotAudience } from '../src/services/notices/audience-snapshot';
import { CloudApiClient } from '../src/services/whatsapp/cloud-api-client';
import { signBody } from '../src/services/whatsapp/webhook';

interface Stats {
  arrivals: number[];
  ids: string[];
}

const args = process.argv.slice(2);
const SUBSCRIBERS = Number(args[args.indexOf('--subscribers') + 1]) || 100_000;
const JSON_OUT = args.includes('--json');
const PARAMS = ['Storing', 'internet', 'Landelijk', 'Hoog', 'Landelijke storing op het KPN-netwerk. Monteurs zijn onderweg.'];
const logger = createLogger({ level: 'warn', pretty: false, destination: process.stderr });

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function maxInAnySecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + 1000) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

async function startGraph(): Promise<{ child: ChildProcess; url: string; stats(): Promise<Stats>; reset(): void }> {
  const child = fork(path.join(__dirname, 'graph-standin-process.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  return {
    child,
    url,
    stats: () => new Promise((resolve) => {
      child.once('message', (m: Stats) => resolve(m));
      child.send('stats');
    }),
    reset: () => child.send('reset'),
  };
}

async function newNotice(db: DataSource, regions: string[] | null): Promise<{ id: string; recipients: number; ms: number }> {
  const started = process.hrtime.bigint();
  return db.transaction(async (manager) => {
    const outage = await manager.getRepository(Outage).save({ service: OutageService.Internet, scope: regions ? OutageScope.Regionaal : OutageScope.Landelijk, regions: regions ?? [], severity: OutageSeverity.Hoog, createdBy: 'bench' });
    const message = await manager.getRepository(OutageMessage).save({ outageId: outage.id, kind: OutageMessageKind.Initial, text: PARAMS[4], templateParameters: PARAMS, status: OutageMessageStatus.Sending, createdBy: 'bench', releasedAt: new Date() });
    const recipients = await snapshotAudience(manager, message.id, { regions });
    await notifyDeliveriesReady(manager);
    return { id: message.id, recipients, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  });
}

async function waitSent(db: DataSource, id: string, count: number): Promise<void> {
  for (;;) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status = 'sent'`, [id]);
    if (n >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runDispatch(db: DataSource, url: string, graphUrl: string, maxMps: number): Promise<Dispatcher> {
  const client = new CloudApiClient({ baseUrl: graphUrl, version: 'v21.0', phoneNumberId: 'bench-number', accessToken: 'bench-token', templateName: 'storing_melding', templateLanguage: 'nl' });
  const dispatcher = new Dispatcher(db, client, logger, { databaseUrl: url, phoneNumberId: 'bench-number', maxMps, idlePollMs: 1000, pairGapMs: 0, batchSize: 500 });
  dispatcher.start();
  return dispatcher;
}

async function main(): Promise<void> {
  const tempDir = process.env.DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-bench-'));
  const server = tempDir ? await startEmbeddedPostgres({ dataDir: tempDir }) : undefined;
  const url = await ensureDatabase(process.env.DATABASE_URL ?? server!.url, `bench_${randomBytes(4).toString('hex')}`);
  const database = await openDatabase({ url, dataDir: tempDir ?? '.data', logger, poolSize: 20 });
  const db = database.dataSource;
  const graph = await startGraph();
  const results: Record<string, number | string> = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', subscribers: SUBSCRIBERS };
  try {
    const [national, small] = await db.getRepository(Customer).save([
      { customerNumber: 'BENCH-1', name: 'Bench landelijk', regions: ['UT'] },
      { customerNumber: 'BENCH-2', name: 'Bench Zeeland', regions: ['ZE'] },
    ]);
    await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31600000000 + g)::text, 'Bench', $1, 'active' FROM generate_series(1, $2) g`, [national.id, SUBSCRIBERS]);
    await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31690000000 + g)::text, 'Bench', $1, 'active' FROM generate_series(1, 5) g`, [small.id]);
    await db.query('ANALYZE');

    // 1. Audience snapshot of every subscriber, then the dispatcher's own ceiling.
    const notice = await newNotice(db, ['UT']);
    results.snapshotMs = Math.round(notice.ms);
    let dispatcher = await runDispatch(db, url, graph.url, 100_000);
    await waitSent(db, notice.id, notice.recipients);
    await dispatcher.stop();
    let stats = await graph.stats();
    const span = (Math.max(...stats.arrivals) - Math.min(...stats.arrivals)) / 1000;
    results.ceilingSendsPerSecond = Math.round(stats.arrivals.length / span);
    const statusIds = stats.ids.slice(0, Math.min(stats.ids.length, 30_000));
    graph.reset();

    // 2. Rate accuracy at 1,000/s (WhatsApp's top tier): a fresh notice to the same audience.
    const accuracyNotice = await newNotice(db, ['UT']);
    dispatcher = await runDispatch(db, url, graph.url, 1000);
    await waitSent(db, accuracyNotice.id, accuracyNotice.recipients);
    await dispatcher.stop();
    stats = await graph.stats();
    const sorted = [...stats.arrivals].sort((a, b) => a - b);
    // Steady state: leave out the first and last second (start-up and tail).
    const steady = sorted.filter((t) => t >= sorted[0] + 1000 && t <= sorted[sorted.length - 1] - 1000);
    const steadySpan = steady.length > 1 ? (steady[steady.length - 1] - steady[0]) / 1000 : NaN;
    results.rateAt1000 = Math.round(steady.length / steadySpan);
    results.rateAccuracy = Number((steady.length / steadySpan / 1000).toFixed(3));
    results.maxInAnySecondAt1000 = maxInAnySecond(stats.arrivals);
    graph.reset();

    // 3. Send -> first request at WhatsApp, 20 times, dispatcher idle and listening.
    dispatcher = await runDispatch(db, url, graph.url, 1000);
    await new Promise((r) => setTimeout(r, 1500));
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = (await graph.stats()).arrivals.length;
      const started = Date.now();
      const small = await newNotice(db, ['ZE']);
      for (;;) {
        const s = await graph.stats();
        if (s.arrivals.length > before) {
          latencies.push(s.arrivals[before] - started);
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await waitSent(db, small.id, small.recipients);
    }
    await dispatcher.stop();
    results.sendToFirstRequestP50Ms = percentile(latencies, 50);
    results.sendToFirstRequestP95Ms = percentile(latencies, 95);

    // 4. Status webhooks through the real route, signed, one status per callback like Meta.
    const config = loadConfig({ WHATSAPP_ACCESS_TOKEN: 'bench-token', WHATSAPP_PHONE_NUMBER_ID: 'bench-number', WHATSAPP_APP_SECRET: 'bench-secret', WHATSAPP_VERIFY_TOKEN: 'v', WHATSAPP_API_BASE_URL: graph.url, LOG_LEVEL: 'warn' });
    const app = await createApp(config, database, logger, 'whatsapp');
    const port = await app.listen(0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = http.request({ host: '127.0.0.1', port, path: '/webhooks/whatsapp', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody('bench-secret', body) } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    const bodies = statusIds.map((id, i) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '31854869699', phone_number_id: 'bench-number' }, statuses: [{ id, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: String(31600000001 + i), conversation: { id: 'c', origin: { type: 'utility' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'utility' } }] } }] }],
      }),
    );
    const webhookLatencies: number[] = [];
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < bodies.length) webhookLatencies.push(await post(bodies[next++]));
      }),
    );
    results.statusWebhooksPerSecond = Math.round(bodies.length / ((Date.now() - started) / 1000));
    results.statusWebhookP99Ms = Math.round(percentile(webhookLatencies, 99));
    const [{ delivered }] = await db.query(`SELECT count(*)::int AS delivered FROM delivery WHERE status = 'delivered'`);
    results.statusesApplied = delivered;
    agent.destroy();
    await app.close();
    results.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  } finally {
    graph.child.kill();
    await database.close();
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  const rows: [string, string, string][] = [
    ['machine', `${results.cores} cores, ${results.cpu}`, ''],
    ['subscribers', String(results.subscribers), ''],
    ['audience snapshot', `${results.snapshotMs} ms`, '< 2000 ms at 100k'],
    ['dispatcher ceiling (MAX_MPS above capacity)', `${results.ceilingSendsPerSecond} sends/s`, '>= 1000/s'],
    ['rate at WHATSAPP_MAX_MPS=1000', `${results.rateAt1000}/s (accuracy ${results.rateAccuracy})`, '>= 0.95'],
    ['max sends in any 1-s window at 1000', String(results.maxInAnySecondAt1000), '<= 1000'],
    ['Send -> first request p50 / p95', `${results.sendToFirstRequestP50Ms} / ${results.sendToFirstRequestP95Ms} ms`, 'p95 < 500 ms'],
    ['status webhooks (signed, via POST /webhooks/whatsapp)', `${results.statusWebhooksPerSecond}/s, p99 ${results.statusWebhookP99Ms} ms`, '>= 3000/s'],
    ['peak RSS (bench process: dispatcher + app)', `${results.peakRssMb} MB`, ''],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padEnd(34)}  ${c}`).join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.message}\n`);
    process.exit(1);
  },
);
