/**
 * The figures of docs/architecture.md (Targets) one after the other, in this process (the production dispatcher
 * and webhook against the Graph API stand-in in its own process): audience snapshot, the
 * dispatcher's ceiling, rate accuracy at 1,000/s, Send -> first request, status webhooks.
 */
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/app';
import type { Database } from '../../src/db/database';
import { Customer, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../../src/entities';
import type { Logger } from '../../src/logger';
import { Dispatcher } from '../../src/services/dispatcher/dispatcher';
import { notifyDeliveriesReady } from '../../src/services/ledger/delivery-ledger';
import { snapshotAudience } from '../../src/services/ledger/delivery-ledger';
import { CloudApiClient } from '../../src/channels/whatsapp/cloud-api-client';
import type { GraphProcess } from './graph';
import { maxInAnySecond, percentile, steadyRate } from './numbers';
import { postStatusWebhooks } from './webhook-client';

export const PARAMS = ['Storing', 'internet', 'Landelijk', 'Hoog', 'Landelijke storing op het KPN-netwerk. Monteurs zijn onderweg.'];

export interface ClassicFigures {
  snapshotMs: number;
  ceilingSendsPerSecond: number;
  rateAt1000: number;
  rateAccuracy: number;
  maxInAnySecondAt1000: number;
  /** The same, counted where the sends leave the dispatcher (no receiver's scheduling in it). */
  maxInAnySecondDepartingAt1000: number;
  sendToFirstRequestP50Ms: number;
  sendToFirstRequestP95Ms: number;
  statusWebhooksPerSecond: number;
  statusWebhookP99Ms: number;
}

/** N active subscribers of one customer (UT) and 5 of another (ZE), numbers 3160..., 3169... */
export async function seedBenchSubscribers(db: DataSource, count: number): Promise<void> {
  const [national, small] = await db.getRepository(Customer).save([
    { customerNumber: 'BENCH-1', name: 'Bench landelijk', regions: ['UT'] },
    { customerNumber: 'BENCH-2', name: 'Bench Zeeland', regions: ['ZE'] },
  ]);
  await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31600000000 + g)::text, 'Bench', $1, 'active' FROM generate_series(1, $2) g`, [national.id, count]);
  await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31690000000 + g)::text, 'Bench', $1, 'active' FROM generate_series(1, 5) g`, [small.id]);
  await db.query('ANALYZE');
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
    const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status = 'sent'`, [id]);
    if (n >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** When each send left the dispatcher, as opposed to when it arrived at the stand-in. */
let departures: number[] = [];

function dispatch(db: DataSource, url: string, graphUrl: string, maxMps: number, logger: Logger): Dispatcher {
  const client = new CloudApiClient({ baseUrl: graphUrl, version: 'v25.0', phoneNumberId: 'bench-number', accessToken: 'bench-token', templateName: 'storing_melding', templateLanguage: 'nl' });
  const sender = {
    sendTemplate: (to: string, parameters: string[], options?: { opaque?: string }) => {
      departures.push(Date.now());
      return client.sendTemplate(to, parameters, options);
    },
    sendText: (to: string, text: string) => client.sendText(to, text),
  };
  const dispatcher = new Dispatcher(db, sender, logger, { databaseUrl: url, phoneNumberId: 'bench-number', maxMps, idlePollMs: 1000, pairGapMs: 0, batchSize: 500 });
  dispatcher.start();
  return dispatcher;
}

export async function runClassic(database: Database, graph: GraphProcess, logger: Logger): Promise<ClassicFigures> {
  const db = database.dataSource;
  const url = database.url;

  // 1. Audience snapshot of every subscriber, then the dispatcher's own ceiling.
  const notice = await newNotice(db, ['UT']);
  let dispatcher = dispatch(db, url, graph.url, 100_000, logger);
  await waitSent(db, notice.id, notice.recipients);
  await dispatcher.stop();
  let stats = await graph.stats();
  const span = (Math.max(...stats.arrivals) - Math.min(...stats.arrivals)) / 1000;
  const ceiling = stats.arrivals.length / span;
  const sentRows: { wa_message_id: string }[] = await db.query(`SELECT wa_message_id FROM delivery WHERE outage_message_id = $1 LIMIT 30000`, [notice.id]);
  const sentIds = sentRows.map((r) => r.wa_message_id);
  graph.reset();

  // 2. Rate accuracy at 1,000/s (WhatsApp's top tier): a fresh notice to the same audience.
  const accuracyNotice = await newNotice(db, ['UT']);
  departures = [];
  dispatcher = dispatch(db, url, graph.url, 1000, logger);
  await waitSent(db, accuracyNotice.id, accuracyNotice.recipients);
  await dispatcher.stop();
  stats = await graph.stats();
  const rate = steadyRate(stats.arrivals);
  const busiest = maxInAnySecond(stats.arrivals);
  const busiestDeparting = maxInAnySecond(departures);
  graph.reset();

  // 3. Send -> first request at WhatsApp, 20 times, dispatcher idle and listening.
  dispatcher = dispatch(db, url, graph.url, 1000, logger);
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

  // 4. Status webhooks through the real route, signed, one status per callback, from a process of their own.
  const config = loadConfig({ WHATSAPP_ACCESS_TOKEN: 'bench-token', WHATSAPP_PHONE_NUMBER_ID: 'bench-number', WHATSAPP_APP_SECRET: 'bench-secret', WHATSAPP_VERIFY_TOKEN: 'v', WHATSAPP_API_BASE_URL: graph.url, LOG_LEVEL: 'warn' }, { purpose: 'local' });
  const app = await createApp(config, database, logger, 'whatsapp');
  const port = await app.listen(0, '127.0.0.1');
  const webhooks = await postStatusWebhooks({ port, appSecret: 'bench-secret', phoneNumberId: 'bench-number', ids: sentIds });
  await app.close();

  return {
    snapshotMs: Math.round(notice.ms),
    ceilingSendsPerSecond: Math.round(ceiling),
    rateAt1000: Math.round(rate),
    rateAccuracy: Number((rate / 1000).toFixed(3)),
    maxInAnySecondAt1000: busiest,
    maxInAnySecondDepartingAt1000: busiestDeparting,
    sendToFirstRequestP50Ms: percentile(latencies, 50),
    sendToFirstRequestP95Ms: percentile(latencies, 95),
    statusWebhooksPerSecond: Math.round(webhooks.perSecond),
    statusWebhookP99Ms: Math.round(webhooks.p99Ms),
  };
}
