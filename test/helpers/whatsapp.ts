/**
 * Builds WhatsApp webhook bodies the way Meta sends them (PLATFORM.md §A) and posts them signed,
 * plus an app wired against a Graph API stand-in and a real SMTP server.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { createApp, type App } from '../../src/app';
import { openDatabase, type Database } from '../../src/db/database';
import { GraphStandIn } from '../../src/services/whatsapp/graph-standin';
import { signBody } from '../../src/services/whatsapp/webhook';
import { memoryLogger } from './logger';
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

function envelope(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '31854869699', phone_number_id: PHONE_NUMBER_ID }, ...value },
          },
        ],
      },
    ],
  };
}

export function textWebhook(from: string, body: string, options: { id?: string; at?: Date; name?: string } = {}) {
  return envelope({
    contacts: [{ profile: { name: options.name ?? 'Test' }, wa_id: from }],
    messages: [{ from, id: options.id ?? wamid(), timestamp: String(Math.floor((options.at ?? new Date()).getTime() / 1000)), type: 'text', text: { body } }],
  });
}

export function imageWebhook(from: string, options: { at?: Date } = {}) {
  return envelope({
    contacts: [{ profile: { name: 'Test' }, wa_id: from }],
    messages: [{ from, id: wamid(), timestamp: String(Math.floor((options.at ?? new Date()).getTime() / 1000)), type: 'image', image: { mime_type: 'image/jpeg', sha256: 'abc', id: '1234' } }],
  });
}

export function statusWebhook(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', at: Date, recipient = '31612345678') {
  return envelope({
    statuses: [
      {
        id,
        status,
        timestamp: String(Math.floor(at.getTime() / 1000)),
        recipient_id: recipient,
        ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
      },
    ],
  });
}

export interface WhatsAppTestApp {
  app: App;
  base: string;
  config: Config;
  database: Database;
  graph: GraphStandIn;
  smtp: TestSmtpServer;
  logLines: string[];
  post(body: unknown, options?: { signature?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export async function startWhatsAppApp(env: Record<string, string> = {}): Promise<WhatsAppTestApp> {
  const graph = new GraphStandIn({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const graphUrl = await graph.start();
  const smtp = new TestSmtpServer();
  await smtp.start();
  const config = loadConfig({
    WHATSAPP_API_BASE_URL: graphUrl,
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'verify-me',
    SMTP_URL: smtp.url,
    CRM_ARCHIVE_BCC: CRM_BCC,
    BUSINESS_HOURS: 'always',
    ...env,
  });
  const { logger, lines } = memoryLogger('info');
  const database = await openDatabase({ url: await freshDatabase(), dataDir: '.data', logger });
  const app = await createApp(config, database, logger);
  const base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  return {
    app,
    base,
    config,
    database,
    graph,
    smtp,
    logLines: lines,
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
export async function textsTo(graph: GraphStandIn, phone: string, count: number, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = graph.messagesTo(phone).map((m) => ('text' in m ? m.text.body : `[${'type' in m ? m.type : 'status'}]`));
    if (texts.length >= count) return texts;
    if (Date.now() > deadline) throw new Error(`expected ${count} messages to the number, got ${texts.length}: ${JSON.stringify(texts)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
