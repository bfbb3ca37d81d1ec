/**
 * The storm: N subscribers, WHATSAPP_MAX_MPS=1000, the service as it runs in production (one or
 * more instances, each a process of its own on one PostgreSQL), *Versturen* clicked through the
 * bot's real route, and the Graph API stand-in calling back every message it accepted (sent,
 * delivered, read; duplicated, out of order, batched) to the instances in turn. With
 * --kill-leader, the dispatcher's process is killed (SIGKILL) at 30% and started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { GraphProcess, StormStats } from './graph';
import { readProfiles, type ProfileFigures } from './profile';
import { cpuSeconds, maxInAnySecond, peakRssMb, percentile, round, steadyRate } from './numbers';
import { freePort } from '../../src/lib/free-port';
import { duplicateWindow } from '../../src/services/dispatcher/limits';

const ENTRY = path.resolve(__dirname, '../../src/index.js');
const APP_SECRET = 'bench-secret';
const MAX_MPS = 1000;
/** The heap flags the deploy guide runs the service with: the storm measures the service as it runs. */
const SERVICE_HEAP_FLAGS = ['--max-old-space-size=160', '--max-semi-space-size=8'];
/** The duplicate window of docs/architecture.md (The dispatcher): what a killed dispatcher had claimed but not recorded. */
export const DUPLICATE_WINDOW = duplicateWindow(MAX_MPS);

export interface StormFigures {
  instances: number;
  subscribers: number;
  finishSeconds: number;
  sendsPerSecond: number;
  rateAccuracy: number;
  maxInAnySecond: number;
  webhooksPerSecond: number;
  statusCallbacksPerSecond: number;
  webhookP50Ms: number;
  webhookP99Ms: number;
  webhook5xx: number;
  webhookConnectionErrors: number;
  ledgerExact: boolean;
  ledgerMismatches: number;
  peakRssMb: number;
  instanceRssMb: number[];
  graphRssMb: number;
  /**
   * CPU seconds per 1,000 messages (each send with its status callbacks), from Versturen until
   * the ledger settled: the service instances together, and PostgreSQL (null on a server that
   * is not local). Apart from the stand-ins, so a busy machine still says what the service costs.
   */
  cpuPer1000: { service: number; postgres: number | null };
  /**
   * Statements PostgreSQL ran for the service per message (BEGIN and COMMIT included), and the
   * five that took the most time (planning and execution, with how often each was planned);
   * null where pg_stat_statements is not loaded.
   */
  statementsPerMessage: number | null;
  topStatements: { query: string; calls: number; ms: number; plans: number; planMs: number }[] | null;
  /** With --profile: where the instances' CPU went (scripts/bench/profile.ts). */
  profile?: ProfileFigures;
}

export interface FailoverFigures {
  takeoverMs: number;
  lost: number;
  duplicates: number;
  duplicateWindow: number;
}

interface Instance {
  port: number;
  child: ChildProcess;
  output: string;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function instanceEnv(databaseUrl: string, graphUrl: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-storm-')),
    LOG_LEVEL: 'warn',
    BUSINESS_HOURS: 'always',
    WHATSAPP_API_BASE_URL: graphUrl,
    WHATSAPP_ACCESS_TOKEN: 'bench-token',
    WHATSAPP_PHONE_NUMBER_ID: 'bench-number',
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'v',
    WHATSAPP_BUSINESS_ACCOUNT_ID: '100000000000001',
    WHATSAPP_MAX_MPS: String(MAX_MPS),
  };
}

function start(env: NodeJS.ProcessEnv, profileDir: string | undefined): Instance {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...SERVICE_HEAP_FLAGS, ...profile, '--disable-warning=DEP0111', ENTRY, 'all', '--local'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const instance: Instance = { port: Number(env.PORT), child, output: '' };
  child.stdout.on('data', (c: Buffer) => (instance.output = (instance.output + c.toString()).slice(-4000)));
  child.stderr.on('data', (c: Buffer) => (instance.output = (instance.output + c.toString()).slice(-4000)));
  return instance;
}

async function healthy(instance: Instance): Promise<void> {
  await until(async () => {
    if (instance.child.exitCode !== null) throw new Error(`an instance stopped:\n${instance.output}`);
    return fetch(`http://127.0.0.1:${instance.port}/healthz`).then((r) => r.ok, () => false);
  }, 60_000, 'the instances to be healthy');
}

async function isLeader(instance: Instance): Promise<boolean> {
  const text = await fetch(`http://127.0.0.1:${instance.port}/metrics`).then((r) => r.text(), () => '');
  return /^storingsmelder_dispatcher_leader 1$/m.test(text);
}

/** A Bot Connector that takes the status card's refreshes (PUT) and answers like the real one. */
async function connector(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 'activity-1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => server.close() };
}

/** *Versturen* on a landelijk notice, as Teams sends the click (Action.Execute invoke). */
async function clickSend(instance: Instance, serviceUrl: string): Promise<number> {
  const data = { verb: 'send', kind: 'initial', requestId: randomUUID(), service: 'internet', scope: 'landelijk', regions: '', severity: 'hoog', text: 'Landelijke storing op het KPN-netwerk: geen internet. Monteurs zijn onderweg.' };
  const activity = {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `bench-${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:bench', name: 'Bench', aadObjectId: 'bench-staff' },
    conversation: { id: 'a:bench', conversationType: 'personal', tenantId: 'bench-tenant' },
    recipient: { id: '28:storingsmelder', name: 'Storingsmelder' },
    replyToId: 'card-1',
    value: { action: { type: 'Action.Execute', verb: 'send', data }, trigger: 'manual' },
  };
  const clicked = Date.now();
  const res = await fetch(`http://127.0.0.1:${instance.port}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
  const text = await res.text();
  if (!res.ok || !text.includes('Wordt verstuurd')) throw new Error(`Versturen failed: ${res.status} ${text.slice(0, 300)}`);
  return clicked;
}

/** The bench's own queries are marked, so the statement counts leave them out. */
const BENCH = '/* bench */';

/** pg_stat_statements in this database, emptied; false where the server has not loaded it. */
async function resetStatements(client: Client): Promise<boolean> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query(`${BENCH} SELECT pg_stat_statements_reset()`);
    return true;
  } catch {
    return false;
  }
}

async function readStatements(client: Client, n: number): Promise<Pick<StormFigures, 'statementsPerMessage' | 'topStatements'>> {
  const ours = `FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '${BENCH}%' AND query NOT LIKE '%pg_stat_statements%'`;
  const { rows: total } = await client.query<{ calls: string }>(`${BENCH} SELECT coalesce(sum(calls), 0) AS calls ${ours}`);
  const { rows: top } = await client.query<{ query: string; calls: string; ms: number; plans: string; plan_ms: number }>(
    `${BENCH} SELECT query, calls, total_exec_time AS ms, plans, total_plan_time AS plan_ms ${ours} ORDER BY total_exec_time + total_plan_time DESC LIMIT 5`,
  );
  return {
    statementsPerMessage: round(Number(total[0].calls) / n, 2),
    topStatements: top.map((r) => ({ query: r.query.replace(/\s+/g, ' ').slice(0, 120), calls: Number(r.calls), ms: Math.round(r.ms), plans: Number(r.plans), planMs: Math.round(r.plan_ms) })),
  };
}

export interface StormOptions {
  databaseUrl: string;
  graph: GraphProcess;
  subscribers: number;
  instances: number;
  killLeader: boolean;
  seed: (url: string) => Promise<void>;
  postgresCpu?: () => number | undefined;
  /** Where the instances write their CPU profiles (--cpu-prof); none when not given. */
  profileDir?: string;
}

export async function runStorm(options: StormOptions): Promise<{ storm: StormFigures; failover?: FailoverFigures }> {
  const result = await runInstances(options);
  // Written as each instance exited.
  if (options.profileDir) result.storm.profile = readProfiles(options.profileDir);
  return result;
}

async function runInstances(options: StormOptions): Promise<{ storm: StormFigures; failover?: FailoverFigures }> {
  const { graph, subscribers: n } = options;
  const envs = await Promise.all(Array.from({ length: options.instances }, async () => instanceEnv(options.databaseUrl, graph.url, await freePort())));
  // All at the same moment, on an empty database: the start-up lock keeps them from racing.
  const instances = envs.map((env) => start(env, options.profileDir));
  const bot = await connector();
  const rss = new Map<number, number>();
  try {
    await Promise.all(instances.map(healthy));
    await options.seed(options.databaseUrl);
    await until(async () => (await Promise.all(instances.map(isLeader))).some(Boolean), 15_000, 'a dispatcher');
    graph.reset();
    graph.storm({ targets: instances.map((i) => `http://127.0.0.1:${i.port}`), appSecret: APP_SECRET, phoneNumberId: 'bench-number' });

    const client = new Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      const counting = await resetStatements(client);
      // CPU from here: each instance's so far, the dead one's up to its kill, PostgreSQL's.
      const cpuAtClick = instances.map((i) => cpuSeconds(i.child.pid!));
      let cpuOfKilled = 0;
      const postgresAtClick = options.postgresCpu?.();
      const clicked = await clickSend(instances[0], bot.url);
      let killedAt: number | undefined;
      let unique = 0;
      await until(async () => {
        const count = await graph.count();
        unique = count.unique;
        if (options.killLeader && killedAt === undefined && count.arrivals >= 0.3 * n) {
          const leaders = await Promise.all(instances.map(isLeader));
          const index = leaders.indexOf(true);
          if (index >= 0) {
            const victim = instances[index];
            rss.set(index, peakRssMb(victim.child.pid!));
            cpuOfKilled += cpuSeconds(victim.child.pid!) - cpuAtClick[index];
            cpuAtClick[index] = 0; // its successor counts from its start
            victim.child.kill('SIGKILL');
            killedAt = Date.now();
            await new Promise((resolve) => victim.child.once('exit', resolve));
            // ... and started again, as a supervisor (systemd, the platform) would.
            instances[index] = start(envs[index], options.profileDir);
          }
        }
        return unique >= n;
      }, 600_000, 'every recipient to be sent to');
      // Every delivery settled, every callback posted and taken.
      let messageId = '';
      messageId = (await client.query<{ id: string }>(`${BENCH} SELECT id FROM outage_message ORDER BY created_at DESC LIMIT 1`)).rows[0].id;
      await until(async () => (await client.query<{ n: number }>(`${BENCH} SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status IN ('queued', 'sending')`, [messageId])).rows[0].n === 0, 120_000, 'the ledger to settle');
      await until(async () => (await graph.stormStats()).pending === 0, 120_000, 'the status callbacks');
      await new Promise((r) => setTimeout(r, 500));
      const stats = await graph.stats();
      const storm = await graph.stormStats();
      instances.forEach((instance, i) => rss.set(i, Math.max(rss.get(i) ?? 0, peakRssMb(instance.child.pid!))));
      const statements = counting ? await readStatements(client, n) : { statementsPerMessage: null, topStatements: null };
      const ledger = await checkLedger(client, messageId, storm);
      const serviceCpu = cpuOfKilled + instances.reduce((sum, instance, i) => sum + cpuSeconds(instance.child.pid!) - cpuAtClick[i], 0);
      const postgresEnd = options.postgresCpu?.();
      const cpuPer1000 = {
        service: round((serviceCpu / n) * 1000, 2),
        postgres: postgresAtClick === undefined || postgresEnd === undefined ? null : round(((postgresEnd - postgresAtClick) / n) * 1000, 2),
      };
      const figures: StormFigures = { ...stormFigures({ n, instances: options.instances, clicked, arrivals: stats.arrivals, storm, ledger, rss: [...rss.values()] }), cpuPer1000, ...statements };
      const failover = killedAt === undefined ? undefined : failoverFigures(stats, killedAt, n);
      return { storm: figures, failover };
    } finally {
      await client.end();
    }
  } finally {
    bot.close();
    for (const instance of instances) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => (i.child.exitCode === null ? new Promise((r) => i.child.once('exit', r)) : Promise.resolve())));
  }
}

/** Each delivery must end in the highest status the stand-in reported for its recipient. */
async function checkLedger(client: Client, messageId: string, storm: StormStats): Promise<{ total: number; exact: number }> {
  const { rows } = await client.query<{ total: number; exact: number }>(
    `${BENCH} WITH expected AS (SELECT * FROM unnest($2::text[], $3::text[]) AS e(phone, status))
     SELECT count(*)::int AS total, count(*) FILTER (WHERE d.status::text = e.status)::int AS exact
       FROM delivery d LEFT JOIN expected e ON e.phone = d.phone
      WHERE d.outage_message_id = $1`,
    [messageId, storm.final.map(([phone]) => phone), storm.final.map(([, status]) => status)],
  );
  return rows[0];
}

function stormFigures(m: { n: number; instances: number; clicked: number; arrivals: number[]; storm: StormStats; ledger: { total: number; exact: number }; rss: number[] }): Omit<StormFigures, 'cpuPer1000' | 'statementsPerMessage' | 'topStatements' | 'profile'> {
  const first = Math.min(...m.arrivals);
  const last = Math.max(...m.arrivals);
  const during = m.storm.webhooks.filter((w) => w.at >= first && w.at <= last);
  const window = (last - first) / 1000;
  const rate = steadyRate(m.arrivals);
  return {
    instances: m.instances,
    subscribers: m.n,
    finishSeconds: round((last - m.clicked) / 1000, 1),
    sendsPerSecond: Math.round(rate),
    rateAccuracy: round(rate / MAX_MPS, 3),
    maxInAnySecond: maxInAnySecond(m.arrivals),
    webhooksPerSecond: Math.round(during.length / window),
    statusCallbacksPerSecond: Math.round(during.reduce((s, w) => s + w.statuses, 0) / window),
    webhookP50Ms: percentile(during.map((w) => w.ms), 50),
    webhookP99Ms: percentile(during.map((w) => w.ms), 99),
    webhook5xx: m.storm.webhooks.filter((w) => w.status >= 500).length,
    webhookConnectionErrors: m.storm.webhooks.filter((w) => w.status === 0).length,
    ledgerExact: m.ledger.total === m.n && m.ledger.exact === m.n,
    ledgerMismatches: m.n - m.ledger.exact,
    peakRssMb: Math.max(...m.rss),
    instanceRssMb: m.rss,
    graphRssMb: m.storm.rssMb,
  };
}

/**
 * Takeover: from the kill until the next send (later than 50 ms after it, so a request of the
 * dead process already on the wire does not count). Lost: recipients never sent to.
 * Duplicates: recipients sent to twice.
 */
function failoverFigures(stats: { arrivals: number[]; recipients: string[] }, killedAt: number, n: number): FailoverFigures {
  const next = stats.arrivals.filter((t) => t > killedAt + 50).sort((a, b) => a - b)[0];
  const counts = new Map<string, number>();
  for (const to of stats.recipients) counts.set(to, (counts.get(to) ?? 0) + 1);
  return {
    takeoverMs: next === undefined ? NaN : next - killedAt,
    lost: n - counts.size,
    duplicates: [...counts.values()].filter((c) => c > 1).length,
    duplicateWindow: DUPLICATE_WINDOW,
  };
}
