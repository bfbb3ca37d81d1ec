/**
 * Bad input gets a 4xx and changes nothing, and never costs a whole batch: bad or expired Bot
 * Framework tokens are 401 with a WARN line (once 500 with an ERROR), a batched status webhook
 * with one malformed status applies the rest and answers 200 (once 500 for all, redelivered by
 * Meta for days), the verify token is compared safely for any input, and the service's
 * database sessions give up instead of hanging.
 */
import { expect } from 'chai';
import { SignJWT, generateKeyPair } from 'jose';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { Delivery, DeliveryStatus } from '../../src/entities';
import { BotConnectorStandIn, teamsMessage } from '../helpers/bot-connector';
import { testDataDir } from '../helpers/data-dir';
import { EntraStandIn } from '../helpers/entra';
import { memoryLogger } from '../helpers/logger';
import { freshDatabase } from '../helpers/postgres';
import { seedSubscribers, startBroadcast, until } from '../helpers/broadcast';
import { startWhatsAppApp, type WhatsAppTestApp } from '../helpers/whatsapp';
import { TEST_PSEUDONYM_KEYS } from '../helpers/keys';

const APP_ID = '6f1d2c3b-1111-4aaa-8bbb-0123456789ab';

describe('security: bad input gets a 4xx and loses nothing', function () {
  this.timeout(30_000);

  describe('Bot Framework tokens', () => {
    let entra: EntraStandIn;
    let connector: BotConnectorStandIn;
    let database: Database;
    let app: App;
    let base: string;
    let lines: string[];

    before(async () => {
      entra = new EntraStandIn();
      const authority = await entra.start('tenant-cbg');
      connector = new BotConnectorStandIn();
      await connector.start();
      const logged = memoryLogger('info');
      lines = logged.lines;
      database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger: logged.logger });
      const config = loadConfig(
        { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg', BOT_OPENID_METADATA_URL: `${authority}/tenant-cbg/v2.0/.well-known/openid-configuration`, DATA_DIR: testDataDir(), PSEUDONYM_KEYS: TEST_PSEUDONYM_KEYS },
        { purpose: 'serve', serves: 'teams' },
      );
      app = await createApp(config, database, logged.logger, 'teams');
      base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    });

    after(async () => {
      await app.close();
      await database.close();
      await Promise.all([entra.stop(), connector.stop()]);
    });

    async function post(token: string): Promise<number> {
      const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(teamsMessage(connector.url, '/outage')) });
      await res.arrayBuffer();
      return res.status;
    }

    async function token(options: { expiresAt?: number } = {}): Promise<string> {
      // Signed with a key of our own under the published key's id: the signature cannot verify.
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ serviceurl: connector.url })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer('https://api.botframework.com')
        .setAudience(APP_ID)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? '5m')
        .sign(privateKey);
    }

    it('answers 401 with a WARN line to a token whose signature does not verify, an expired one and garbage', async () => {
      const before = lines.length;
      expect(await post(await token())).to.equal(401);
      expect(await post(await token({ expiresAt: Math.floor(Date.now() / 1000) - 3600 }))).to.equal(401);
      expect(await post('not.a.jwt')).to.equal(401);
      const logged = lines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(logged.filter((l) => l.msg === 'Bot Framework request refused').map((l) => l.level)).to.deep.equal([40, 40, 40]);
      expect(logged.filter((l) => l.level >= 50)).to.deep.equal([]);
      expect(connector.calls).to.deep.equal([]);
    });
  });

  describe('WhatsApp webhooks', () => {
    let t: WhatsAppTestApp;

    before(async () => {
      t = await startWhatsAppApp();
    });

    after(async () => {
      await t.close();
    });

    it('applies the valid statuses of a batch with a malformed one (a timestamp of year 33658, an error code 1.5), logs and skips it, and answers 200', async () => {
      const db = t.app.context.dataSource;
      await seedSubscribers(db, 2);
      const notice = await startBroadcast(db);
      let sent: { id: string; wa_message_id: string }[] = [];
      await until(async () => {
        sent = await db.query(`SELECT id, wa_message_id FROM delivery WHERE outage_message_id = $1 AND status = 'sent' ORDER BY id`, [notice]);
        return sent.length === 2;
      }, 20_000, 'both deliveries sent');
      const [first, second] = sent.map((r) => ({ id: r.id, waMessageId: r.wa_message_id }));
      const at = String(Math.floor(Date.now() / 1000));
      const status = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: 'delivered', timestamp: at, recipient_id: '31612345678', ...extra });
      const body = {
        object: 'whatsapp_business_account',
        entry: [{ id: '102290129340398', changes: [
          // A change that is not what Meta sends at all: skipped on its own.
          { field: 'messages', value: null },
          { field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '31854869699', phone_number_id: '106540352242922' },
          // A username user's contact carries no wa_id; errors Meta may shape otherwise: neither is read.
          contacts: [{ profile: { name: 'Anna' }, user_id: 'NL.13491208655302741918' }], errors: [{ code: 'x', title: null }], statuses: [
          status(first.waMessageId),
          status('wamid.bad-time', { timestamp: '999999999999' }),
          status('wamid.bad-code', { status: 'failed', errors: [{ code: 1.5, title: 'x' }] }),
          status(second.waMessageId),
        ] } }] }],
      };
      const res = await t.post(body);
      expect(res.status).to.equal(200);
      const rows = await db.getRepository(Delivery).find({ where: [{ id: first.id }, { id: second.id }], order: { id: 'ASC' } });
      expect(rows.map((r) => r.status)).to.deep.equal([DeliveryStatus.Delivered, DeliveryStatus.Delivered]);
      expect(t.logLines.some((line) => line.includes('webhook entries skipped') && line.includes('"statuses":2') && line.includes('"changes":1'))).to.equal(true);
    });

    it('answers 403 to any verify token that is not ours, non-ASCII of the same length included', async () => {
      const ask = async (token: string) => {
        const res = await fetch(`${t.base}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${encodeURIComponent(token)}`);
        await res.arrayBuffer();
        return res.status;
      };
      expect(await ask('verify-me')).to.equal(200);
      expect(await ask('vérify-me')).to.equal(403);
      expect(await ask('ééééééééé')).to.equal(403);
      expect(await ask('')).to.equal(403);
    });

    it("gives the service's database sessions statement, lock and idle-in-transaction timeouts", async () => {
      const [settings]: Record<string, string>[] = await t.app.context.dataSource.query(
        `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle`,
      );
      expect(settings).to.deep.equal({ statement: '1min', lock: '15s', idle: '1min' });
    });
  });
});
