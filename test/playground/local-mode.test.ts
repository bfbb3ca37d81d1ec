/**
 * What exists only in local mode: the playground page and its APIs (404 with any real
 * credentials or in production), the staff and manager lists that apply there too once set,
 * and the playground's phones speaking Meta's protocol to the service.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { App } from '../../src/app';
import type { Database } from '../../src/db/database';
import { Customer, Subscriber, SubscriberStatus } from '../../src/entities';
import { PLAYGROUND_PHONES } from '../../src/playground/feature';
import { createInvitation } from '../../src/services/signup/invitations';
import { BotConnectorStandIn, teamsMessage } from '../helpers/bot-connector';
import { startService } from '../helpers/service';
import { TEST_PSEUDONYM_KEYS } from '../helpers/keys';

const PLAYGROUND_ROUTES: [string, string][] = [
  ['GET', '/playground'],
  ['GET', '/playground/playground.js'],
  ['GET', '/playground/api/state'],
  ['POST', `/playground/api/phones/${PLAYGROUND_PHONES[0].number}/messages`],
  ['POST', `/playground/api/phones/${PLAYGROUND_PHONES[0].number}/read`],
];

const BOT_CREDENTIALS = { MicrosoftAppId: '00000000-0000-0000-0000-0000000000b0', MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant-cbg' };
const WHATSAPP_CREDENTIALS = { WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922', WHATSAPP_APP_SECRET: 'secret', WHATSAPP_VERIFY_TOKEN: 'verify', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9' };

describe('local mode', function () {
  this.timeout(30_000);
  let database: Database;
  let app: App;
  let base: string;

  /** The service as `npm run playground` starts it (asking for /playground); a production configuration loads as the production command does. */
  async function start(env: Record<string, string>): Promise<void> {
    const purpose = env.NODE_ENV === 'production' ? 'serve' : 'local';
    ({ app, database, base } = await startService({ BUSINESS_HOURS: 'always', ...env }, { playground: true, purpose }));
  }

  async function statusOf(method: string, path: string): Promise<number> {
    const res = await fetch(`${base}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify({ text: 'hallo' }) } : {}) });
    await res.arrayBuffer();
    return res.status;
  }

  afterEach(async () => {
    await app.close();
    await database.close();
  });

  describe('the playground exists only without credentials and outside production', () => {
    it('serves the page, its script and its state in local mode', async () => {
      await start({});
      for (const [method, path] of PLAYGROUND_ROUTES.slice(0, 3)) expect(await statusOf(method, path), path).to.equal(200);
      const state = (await (await fetch(`${base}/playground/api/state`)).json()) as { phones: { number: string }[]; mailbox: unknown[] };
      expect(state.phones.map((p) => p.number)).to.deep.equal(PLAYGROUND_PHONES.map((p) => p.number));
    });

    const cases: [string, Record<string, string>][] = [
      ['Bot Framework credentials', BOT_CREDENTIALS],
      ['WhatsApp credentials', WHATSAPP_CREDENTIALS],
      ['NODE_ENV=production', { NODE_ENV: 'production', ...BOT_CREDENTIALS, ...WHATSAPP_CREDENTIALS, WHATSAPP_API_BASE_URL: 'https://127.0.0.1:9', WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398', SMTP_URL: 'smtp://127.0.0.1:9', DATABASE_URL: 'postgres://x@127.0.0.1/x', CRM_ARCHIVE_BCC: 'crm@example.nl', PUBLIC_BASE_URL: 'https://storing.example.nl', PSEUDONYM_KEYS: TEST_PSEUDONYM_KEYS }],
    ];
    for (const [label, env] of cases) {
      it(`answers 404 on every playground route with ${label}`, async () => {
        await start(env);
        for (const [method, path] of PLAYGROUND_ROUTES) expect(await statusOf(method, path), `${method} ${path}`).to.equal(404);
        expect(await statusOf('GET', '/healthz')).to.equal(200);
      });
    }

    it('seeds nothing: demo data comes only from npm run playground', async () => {
      await start({});
      expect(await database.dataSource.getRepository(Customer).count()).to.equal(0);
    });
  });

  describe('the phones play Meta', () => {
    it('posts what a phone types as a signed webhook, shows the replies and reports their statuses', async () => {
      await start({});
      const phone = PLAYGROUND_PHONES[0].number;
      await database.dataSource.getRepository(Customer).save({ customerNumber: 'C-1', name: 'Bakker', regions: ['UT'] });
      const { invitation } = await createInvitation(database.dataSource, app.context.config, { email: 'anna@bakker.nl', customer: 'C-1', createdBy: 'test' });
      const say = (text: string) => fetch(`${base}/playground/api/phones/${phone}/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });
      let messages: { from: string; text: string; status: string }[] = [];
      /** Until the phone shows `count` delivered answers of the service. */
      const answered = async (count: number) => {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const state = (await (await fetch(`${base}/playground/api/state`)).json()) as { phones: { number: string; messages: typeof messages }[] };
          messages = state.phones.find((p) => p.number === phone)!.messages;
          if (messages.filter((m) => m.from === 'service' && m.status === 'delivered').length >= count) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      expect((await say(`Ja ik wil storingsberichten van CBG Connect ontvangen. Code: ${invitation.code}`)).status).to.equal(200);
      // As a person would: the name after the question.
      await answered(1);
      expect((await say('Anna')).status).to.equal(200);
      await answered(2);
      expect(messages.map((m) => [m.from, m.status])).to.deep.equal([
        ['phone', 'sent'],
        ['service', 'delivered'],
        ['phone', 'sent'],
        ['service', 'delivered'],
      ]);
      expect(messages[3].text).to.match(/^Welkom Anna!/);
      expect(await database.dataSource.getRepository(Subscriber).countBy({ phone, status: SubscriberStatus.Active })).to.equal(1);
      const read = (await (await fetch(`${base}/playground/api/phones/${phone}/read`, { method: 'POST', headers: { 'Content-Type': 'application/json' } })).json()) as { read: number };
      expect(read.read).to.equal(2);
    });

    it('answers only requests to localhost, and takes only JSON posts (no DNS rebinding, no cross-site forms)', async () => {
      await start({});
      // fetch() will not send a Host of our choosing; a page on a rebound name would.
      const rebound = await new Promise<number>((resolve, reject) => {
        http
          .get(`${base}/playground/api/state`, { headers: { Host: 'attacker.example:3978' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      expect(rebound).to.equal(403);
      const form = await fetch(`${base}/playground/api/phones/${PLAYGROUND_PHONES[0].number}/messages`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"text":"afmelden"}' });
      // Refused by local mode's guard for every route now (403), before the playground's own check (400).
      expect(form.status).to.equal(403);
      expect(((await form.json()) as { message: string }).message).to.equal('this service runs in local mode and accepts only JSON posts (Content-Type: application/json)');
      const state = (await (await fetch(`${base}/playground/api/state`)).json()) as { phones: { messages: unknown[] }[] };
      expect(state.phones[0].messages).to.deep.equal([]);
    });

    it('refuses a phone that is not one of the three, and an empty message', async () => {
      await start({});
      expect(await statusOf('POST', '/playground/api/phones/31699999999/messages')).to.equal(404);
      const empty = await fetch(`${base}/playground/api/phones/${PLAYGROUND_PHONES[0].number}/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"  "}' });
      expect(empty.status).to.equal(400);
    });
  });

  describe('staff and manager lists', () => {
    let connector: BotConnectorStandIn;
    beforeEach(async () => {
      connector = new BotConnectorStandIn();
      await connector.start();
    });
    afterEach(async () => connector.stop());

    async function outageCard(aadObjectId: string): Promise<string> {
      const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(teamsMessage(connector.url, '/outage', { aadObjectId })) });
      expect(res.status).to.equal(200);
      return JSON.stringify(connector.cards().at(-1));
    }

    it('applies STAFF_AAD_OBJECT_IDS in local mode when it is set', async () => {
      await start({ STAFF_AAD_OBJECT_IDS: 'staff-aad-1' });
      expect(await outageCard('staff-aad-1')).to.include('"id":"service"');
      const refused = await outageCard('someone-else');
      expect(refused).to.include('Alleen medewerkers van CBG Connect');
      expect(refused).not.to.include('"id":"service"');
    });

    it('lets everyone act as staff in local mode only while the list is unset', async () => {
      await start({});
      expect(await outageCard('anyone-at-all')).to.include('"id":"service"');
    });

    it('refuses the figures in local mode once MANAGER_AAD_OBJECT_IDS is set (no sign-in to check it against)', async () => {
      await start({ MANAGER_AAD_OBJECT_IDS: 'manager-aad-1' });
      const res = await fetch(`${base}/api/stats`);
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { message: string }).message).to.include('MANAGER_AAD_OBJECT_IDS');
    });

    it('shows the figures in local mode while the manager list is unset', async () => {
      await start({});
      expect(await statusOf('GET', '/api/stats')).to.equal(200);
    });
  });
});
