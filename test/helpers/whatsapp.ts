/**
 * Builds WhatsApp webhook bodies the way Meta sends them (docs/platform.md) and posts them signed,
 * plus an app wired against a Graph API stand-in and a real SMTP server.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { createApp, type App } from '../../src/app';
import type { Clock } from '../../src/lib/clock';
import { openDatabase, type Database } from '../../src/db/database';
import { ScriptedGraphStandIn } from './scripted-graph';
import { signBody } from '../../src/channels/whatsapp/webhook';
import { inboundWebhook, statusWebhook as buildStatusWebhook, textMessageWebhook } from '../../src/local/webhook-payloads';
import { testDataDir, testErasureLog } from './data-dir';
import { memoryLogger } from './logger';
import { waitFor } from './wait';
import { freshDatabase } from './postgres';
import { TestSmtpServer } from './smtp';

export const APP_SECRET = 'test-app-secret';
export const PHONE_NUMBER_ID = '106540352242922';
export const ACCESS_TOKEN = 'test-access-token';
export const CRM_BCC = 'archief@crm.cbgconnect.nl';

let sequence = 0;
export function wamid(): string {
  sequence += 1;
  return `wamid.HBgL${randomBytes(12).toString('hex')}${sequence}`;
}

/** Our test number as Meta's webhooks name it. */
const TEST_NUMBER = { phoneNumberId: PHONE_NUMBER_ID, displayNumber: '31854869699', businessAccountId: '102290129340398' };

export function textWebhook(from: string, body: string, options: { id?: string; at?: Date; name?: string } = {}) {
  return textMessageWebhook(TEST_NUMBER, from, body, { id: options.id ?? wamid(), at: options.at, profileName: options.name ?? 'Test' });
}

export function imageWebhook(from: string, options: { at?: Date } = {}) {
  return inboundWebhook(TEST_NUMBER, from, { type: 'image', image: { mime_type: 'image/jpeg', sha256: 'abc', id: '1234' } }, { id: wamid(), at: options.at, profileName: 'Test' });
}

export function statusWebhook(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', at: Date, recipient = '31612345678') {
  return buildStatusWebhook(TEST_NUMBER, [{ id, status, at, recipient }]);
}

export interface WhatsAppTestApp {
  app: App;
  base: string;
  config: Config;
  database: Database;
  graph: ScriptedGraphStandIn;
  smtp: TestSmtpServer;
  logLines: string[];
  /**
   * Resolves once every reply queued so far has been sent and answered by the Graph stand-in.
   * A webhook's replies are committed in reply_outbox before its 200, and the dispatcher sends
   * them: once post() has resolved, waiting here means the stand-in has seen every reply that
   * message caused. For "and nothing more was sent", instead of a sleep.
   */
  repliesSettled(): Promise<void>;
  post(body: unknown, options?: { signature?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export async function startWhatsAppApp(env: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<WhatsAppTestApp> {
  const graph = new ScriptedGraphStandIn({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const graphUrl = await graph.start();
  const smtp = new TestSmtpServer();
  await smtp.start();
  const config = loadConfig({
    ERASURE_LOG: testErasureLog(),
    WHATSAPP_API_BASE_URL: graphUrl,
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'verify-me',
    // The business account of Meta's sample payloads (test/fixtures/whatsapp).
    WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
    SMTP_URL: smtp.url,
    CRM_ARCHIVE_BCC: CRM_BCC,
    BUSINESS_HOURS: 'always',
    DATA_DIR: testDataDir(),
    ...env,
  }, { purpose: 'local' });
  const { logger, lines } = memoryLogger('info');
  const database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger });
  const app = await createApp(config, database, logger, 'all', { clock: options.clock });
  // Watches the app's own client (the one the reply sender uses); every call still goes through to the stand-in.
  const sends = new Set<Promise<void>>();
  const client = app.context.whatsapp;
  const sendText = client.sendText.bind(client);
  client.sendText = (to, body) => {
    const sending = sendText(to, body);
    const settled = sending.then(
      () => undefined,
      () => undefined,
    );
    sends.add(settled);
    void settled.then(() => sends.delete(settled));
    return sending;
  };
  const base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  // The stappenplan names the number as Meta displays it: the look-up at start records it.
  await waitFor(async () => (await database.dataSource.query<unknown[]>(`SELECT 1 FROM whatsapp_state WHERE subject = 'number' AND display_number IS NOT NULL`)).length > 0 || undefined, { what: 'the look-up of the number at start' });
  return {
    app,
    base,
    config,
    database,
    graph,
    smtp,
    logLines: lines,
    repliesSettled: async () => {
      // Replies wait in reply_outbox until the dispatcher sent them (a row goes once Meta accepted it).
      await waitFor(async () => (await database.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM reply_outbox'))[0].n === 0, { what: 'every queued reply sent' });
      while (sends.size > 0) await Promise.all([...sends]);
    },
    post: (body, options = {}) => {
      const raw = JSON.stringify(body);
      const signature = options.signature === undefined ? signBody(APP_SECRET, raw) : options.signature;
      return fetch(`${base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(signature === null ? {} : { 'X-Hub-Signature-256': signature }) },
        body: raw,
      });
    },
    close: async () => {
      await app.close();
      await database.close();
      await graph.stop();
      await smtp.stop();
    },
  };
}

/** Waits until the stand-in has received `count` messages for a number; returns their texts. */
export async function textsTo(graph: ScriptedGraphStandIn, phone: string, count: number, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = graph.messagesTo(phone).map((m) => ('text' in m ? m.text.body : `[${'type' in m ? m.type : 'status'}]`));
    if (texts.length >= count) return texts;
    if (Date.now() > deadline) throw new Error(`expected ${count} messages to the number, got ${texts.length}: ${JSON.stringify(texts)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
