/**
 * `npm run doctor` against stand-ins of every real dependency: the Graph API (phone number,
 * templates), an Entra ID token endpoint, a real SMTP server with a login, real PostgreSQL,
 * and the service's /healthz behind an https proxy. Every check passes, and fails with its
 * fix line; exit 0 only when all pass; secrets are never printed.
 */
import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { createApp, type App } from '../../src/app';
import { openDatabase, type Database } from '../../src/db/database';
import { passed, runDoctor } from '../../src/doctor/doctor';
import { fixedClock } from '../../src/lib/clock';
import { httpsFront, type HttpsFront } from '../helpers/https-front';
import { MIGRATIONS } from '../../src/migrations';
import { templateDefinition } from '../../src/services/notices/notice-template';
import { GraphStandIn } from '../../src/local/graph-standin';
import { testDataDir } from '../helpers/data-dir';
import { EntraStandIn } from '../helpers/entra';
import { memoryLogger } from '../helpers/logger';
import { emptyDatabase, freshDatabase } from '../helpers/postgres';
import { seedSubscribers, startBroadcast } from '../helpers/broadcast';
import { createDataSource } from '../../src/db/data-source';
import { TestSmtpServer } from '../helpers/smtp';
import { TEST_PSEUDONYM_KEYS } from '../helpers/keys';

const CLI = path.resolve(__dirname, '../../src/cli/doctor.js');
/** The day the in-process checks run on (the CLI runs on the machine's clock). */
const TODAY = fixedClock('2026-12-07T10:00:00Z');
// A self-signed certificate for 127.0.0.1, made for these tests only (test/fixtures/tls).
const TLS = path.resolve(__dirname, '../../../test/fixtures/tls');
const APP_ID = '6f1d2c3b-1111-4aaa-8bbb-0123456789ab';
const BOT_SECRET = 'bot-secret-value-123';
const WA_TOKEN = 'EAAG-system-user-token-456';
const SMTP = { user: 'storingsmelder@cbgconnect.nl', pass: 'smtp-pass-789' };

describe('npm run doctor', function () {
  this.timeout(60_000);
  let graph: GraphStandIn;
  let entra: EntraStandIn;
  let smtp: TestSmtpServer;
  let database: Database;
  let app: App;
  let proxy: https.Server;
  let fronts: HttpsFront[];
  /** The production configuration the operator runs the doctor with (https everywhere). */
  let env: Record<string, string>;
  /** The same over plain http, for checks run in this process (which does not trust the test certificate). */
  let plainEnv: Record<string, string>;

  before(async () => {
    graph = new GraphStandIn({ accessToken: WA_TOKEN, phoneNumberId: '106540352242922', account: { businessAccountId: '102290129340398' } });
    await graph.start();
    entra = new EntraStandIn();
    await entra.start('tenant-cbg');
    entra.apps.set(APP_ID, { tenant: 'tenant-cbg', secret: BOT_SECRET });
    smtp = new TestSmtpServer(SMTP, { starttls: true });
    await smtp.start();
    const { logger } = memoryLogger();
    const url = await freshDatabase();
    database = await openDatabase({ url, dataDir: testDataDir(), logger });
    app = await createApp(loadConfig({ DATA_DIR: testDataDir() }, { purpose: 'local' }), database, logger, 'teams');
    const appPort = await app.listen(0, '127.0.0.1');
    // The reverse proxy at PUBLIC_BASE_URL, https with the test certificate.
    proxy = https.createServer({ key: readFileSync(path.join(TLS, 'key.pem')), cert: readFileSync(path.join(TLS, 'cert.pem')) }, (req, res) => {
      void fetch(`http://127.0.0.1:${appPort}${req.url}`).then(async (answer) => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    fronts = [await httpsFront(entra.authority), await httpsFront(graph.url)];
    plainEnv = {
      NODE_ENV: 'development',
      DATABASE_URL: url,
      PUBLIC_BASE_URL: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: BOT_SECRET,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant-cbg',
      ENTRA_AUTHORITY_URL: entra.authority,
      ADMIN_AAD_OBJECT_IDS: 'admin-1',
      STAFF_AAD_OBJECT_IDS: 'staff-1,staff-2',
      MANAGER_AAD_OBJECT_IDS: 'manager-1',
      WHATSAPP_API_BASE_URL: graph.url,
      WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      WHATSAPP_APP_SECRET: 'app-secret-abc',
      WHATSAPP_VERIFY_TOKEN: 'verify-me',
      WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
      SMTP_URL: smtp.urlWith(),
      CRM_ARCHIVE_BCC: 'archief@crm.cbgconnect.nl',
      DATA_DIR: testDataDir(),
      PSEUDONYM_KEYS: TEST_PSEUDONYM_KEYS,
    };
    env = { ...plainEnv, NODE_ENV: 'production', ENTRA_AUTHORITY_URL: fronts[0].url, WHATSAPP_API_BASE_URL: fronts[1].url };
  });

  beforeEach(() => {
    graph.account.templates.splice(0, graph.account.templates.length, { id: '1', status: 'APPROVED', ...templateDefinition('storing_melding', 'nl') }, { id: '2', status: 'APPROVED', ...templateDefinition('storing_opgelost', 'nl', 'resolution') });
    graph.account.phoneNumber.quality_rating = 'GREEN';
  });

  after(async () => {
    await app.close();
    await database.close();
    await new Promise((resolve) => proxy.close(resolve));
    await Promise.all([graph.stop(), entra.stop(), smtp.stop(), ...fronts.map((f) => f.close())]);
  });

  /** The real command, as an operator runs it (a child process, trusting the test certificate). */
  async function doctor(overrides: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
    // An override of undefined leaves the variable out.
    const childEnv = Object.fromEntries(Object.entries({ ...baseEnv(), NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem'), ...env, ...overrides }).filter(([, v]) => v !== undefined));
    return promisify(execFile)(process.execPath, [CLI], { env: childEnv, cwd: os.tmpdir() }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, out: error.stdout }),
    );
  }

  /** One check, in process: the results whose name matches. */
  async function check(name: string, overrides: Record<string, string>): Promise<{ status: string; detail: string; fix?: string }> {
    const results = await runDoctor(loadConfig({ ...plainEnv, PUBLIC_BASE_URL: 'https://127.0.0.1:9', ...overrides }, { purpose: 'tool' }), 'all', TODAY);
    const found = results.find((r) => r.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  }

  it('passes every check against working dependencies, and exits 0', async () => {
    const { code, out } = await doctor();
    process.stdout.write(`${out.replace(/^/gm, '      | ')}\n`);
    expect(out.split('\n').filter((l) => /^[✓!✗–] /.test(l)).map((l) => l.slice(0, 1))).to.deep.equal(Array(13).fill('✓'));
    // The CLI reads the machine's clock: from 90 days before v25.0's end this line warns (and still passes).
    expect(out).to.match(/[✓!] Graph API version +v25\.0(, supported until| is switched off by Meta on) 2028-07-29/);
    expect(out).to.match(/✓ production +NODE_ENV=production with Bot Framework and WhatsApp credentials/);
    expect(out).to.match(/✓ erasure log +\S+erasures\.log writable, every erasure of the database in it/);
    expect(out).to.match(/✓ WhatsApp template \(Opgelost\) +storing_opgelost \(nl\) is APPROVED with 3 body parameters/);
    expect(out).to.include('All 13 checks passed.');
    expect(code).to.equal(0);
  });

  it('fails with a fix line for each of three things wrong, and exits 1', async () => {
    graph.account.templates[0].status = 'PENDING';
    const { code, out } = await doctor({ SMTP_URL: smtp.urlWith({ user: SMTP.user, pass: 'wrong-smtp-pass' }), MicrosoftAppPassword: 'wrong-bot-secret' });
    process.stdout.write(`${out.replace(/^/gm, '      | ')}\n`);
    expect(code).to.equal(1);
    expect(out).to.include('3 of 13 checks failed: not ready for production.');
    expect(out).to.match(/✗ e-mail .*\n\s+fix: the server refused the login: check the user and password in SMTP_URL/);
    expect(out).to.match(/✗ Bot Framework .*AADSTS7000215.*\n\s+fix: MicrosoftAppPassword is not a valid/);
    expect(out).to.match(/✗ WhatsApp template +storing_melding \(nl\) is PENDING.*\n\s+fix: wait for Meta's review/);
    for (const secret of [BOT_SECRET, WA_TOKEN, SMTP.pass, 'wrong-smtp-pass', 'wrong-bot-secret', 'app-secret-abc', TEST_PSEUDONYM_KEYS.slice(2)]) expect(out).not.to.include(secret);
  });

  it('fails in local mode without credentials, says why, still checks what exists, and exits 1', async () => {
    const { code, out } = await doctor({ NODE_ENV: 'development', MicrosoftAppId: '', WHATSAPP_ACCESS_TOKEN: '', SMTP_URL: '', PUBLIC_BASE_URL: 'http://localhost:3978' });
    expect(out).to.match(/^Storingsmelder doctor: local mode \(no Bot Framework or WhatsApp credentials\): checking what exists/);
    expect(out).to.match(/✗ production +NODE_ENV is development: the doctor certifies a production configuration only\n\s+fix: set NODE_ENV=production/);
    expect(out).to.match(/✗ Teams credentials +MicrosoftAppId is not set: the bot would accept anyone/);
    expect(out).to.match(/✗ WhatsApp credentials +WHATSAPP_ACCESS_TOKEN is not set/);
    expect(out).to.match(/not ready for production\.$/m);
    expect(out).to.match(/✓ database +127\.0\.0\.1:\d+\/sm_test_\w+ reachable \(PostgreSQL [\d.]+\), migrations current \((\d+) of \1\)/);
    expect(out).to.include(`migrations current (${MIGRATIONS.length} of ${MIGRATIONS.length})`);
    expect(out).to.match(/– Bot Framework +MicrosoftAppId not set: local mode/);
    expect(out).to.match(/– WhatsApp +WHATSAPP_ACCESS_TOKEN not set/);
    expect(code).to.equal(1);
  });

  it('fails on a mixed configuration without NODE_ENV (WhatsApp credentials, no bot credentials), and exits 1', async () => {
    const { code, out } = await doctor({ NODE_ENV: undefined, MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppTenantId: '' });
    process.stdout.write(`${out.replace(/^/gm, '      | ')}\n`);
    expect(out).to.match(/✗ production +NODE_ENV is development/);
    expect(out).to.match(/✗ Teams credentials +MicrosoftAppId is not set/);
    expect(out).not.to.match(/All \d+ checks passed/);
    expect(code).to.equal(1);
  });

  it('checks a Teams-only host for its own side only (npm run doctor -- teams)', async () => {
    const results = await runDoctor(loadConfig({ ...plainEnv, NODE_ENV: 'development', WHATSAPP_ACCESS_TOKEN: '', PUBLIC_BASE_URL: 'https://127.0.0.1:9' }, { purpose: 'tool' }), 'teams', TODAY);
    expect(results.map((r) => r.name)).not.to.include.members(['WhatsApp credentials', 'WhatsApp number', 'WhatsApp template', 'Graph API version']);
    expect(results.find((r) => r.name === 'Bot Framework')?.status).to.equal('ok');
  });

  it('fails when a check could not run, even with nothing failed', async () => {
    const results = [{ name: 'a', status: 'ok' as const, detail: '' }, { name: 'b', status: 'skip' as const, detail: '' }];
    expect(passed(results)).to.equal(false);
    expect(passed([results[0]])).to.equal(true);
  });

  it('prints one line per bad variable and exits 1 before checking anything', async () => {
    const { code, out } = await doctor({ PORT: 'eighty' });
    expect(out).to.include('✗ configuration  PORT: expected a TCP port (a whole number)');
    expect(code).to.equal(1);
  });

  describe('each check fails with its fix', () => {
    it('database: unreachable, and migrations not applied', async () => {
      const down = await check('database', { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/storingsmelder' });
      expect(down).to.include({ status: 'fail', fix: 'check host, port, database, user and password in DATABASE_URL; a managed PostgreSQL usually needs ?sslmode=require at the end' });
      expect(down.detail).to.match(/^127\.0\.0\.1:9\/storingsmelder cannot be reached: .*ECONNREFUSED/);
      const empty = await check('database', { DATABASE_URL: await emptyDatabase() });
      expect(empty).to.include({ status: 'fail', fix: 'run npm run migrate (the service also migrates when it starts)' });
      expect(empty.detail).to.include(`${MIGRATIONS.length} of ${MIGRATIONS.length} migrations not applied`);
    });

    it('broadcasts: a notice Meta stopped (an expired token) fails with the reason staff see and what to do', async () => {
      const url = await freshDatabase();
      const db = await createDataSource({ url, poolSize: 1 }).initialize();
      try {
        await seedSubscribers(db, 2, 31696000000);
        const messageId = await startBroadcast(db);
        await db.query(`UPDATE outage_message SET status = 'paused', pause_scope = 'account', pause_code = 190 WHERE id = $1`, [messageId]);
        const paused = await check('broadcasts', { DATABASE_URL: url });
        expect(paused).to.deep.equal({
          name: 'broadcasts',
          status: 'fail',
          detail: '1 notice(s) paused: Meta refused the account or its access token (error 190); nobody was marked failed',
          fix: 'renew WHATSAPP_ACCESS_TOKEN (a system user token), check the app permissions and the payment method in Meta Business Suite, then press Hervatten on the status card',
        });
      } finally {
        await db.destroy();
      }
    });

    it('e-mail: SMTP unreachable, a bad sender, no CRM archive', async () => {
      expect((await check('e-mail', { SMTP_URL: 'smtp://127.0.0.1:9' })).fix).to.match(/^127\.0\.0\.1:9 cannot be reached from here: check the host and port in SMTP_URL/);
      expect(await check('sender', { MAIL_FROM: 'CBG Connect' })).to.include({ status: 'fail', fix: 'set MAIL_FROM, e.g. CBG Connect <noreply@cbgconnect.nl>' });
      expect(await check('CRM archive', { CRM_ARCHIVE_BCC: '', NODE_ENV: 'development' })).to.include({ status: 'fail', fix: "set CRM_ARCHIVE_BCC to the CRM's BCC logging address" });
    });

    it('Bot Framework: an app the tenant does not know, an unreachable authority, nobody staff', async () => {
      expect((await check('Bot Framework', { MicrosoftAppId: '0f1d2c3b-1111-4aaa-8bbb-0123456789ab' })).fix).to.match(/^app 0f1d2c3b-1111-4aaa-8bbb-0123456789ab is not registered in tenant tenant-cbg/);
      expect((await check('Bot Framework', { ENTRA_AUTHORITY_URL: 'http://127.0.0.1:9' })).fix).to.equal('check ENTRA_AUTHORITY_URL and that this machine may make outbound HTTPS calls');
      expect((await check('staff', { STAFF_AAD_OBJECT_IDS: '', ADMIN_AAD_OBJECT_IDS: '' })).fix).to.match(/^set ADMIN_AAD_OBJECT_IDS/);
      // Staff from the settings and no administrator: it works, but roles change only in the settings.
      expect(await check('staff', { STAFF_AAD_OBJECT_IDS: 'staff-1', ADMIN_AAD_OBJECT_IDS: '' })).to.include({ status: 'warn', detail: '1 staff member(s) in STAFF_AAD_OBJECT_IDS and no administrator: roles change only in the settings, with a restart' });
    });

    it('WhatsApp number: a bad token, an unknown phone number id, a RED quality rating', async () => {
      expect((await check('WhatsApp number', { WHATSAPP_ACCESS_TOKEN: 'expired' })).fix).to.match(/^the access token is not valid or has expired: create a permanent token for a system user/);
      expect((await check('WhatsApp number', { WHATSAPP_PHONE_NUMBER_ID: '999' })).fix).to.match(/^WHATSAPP_PHONE_NUMBER_ID 999 is not a phone number this token can see/);
      graph.account.phoneNumber.quality_rating = 'RED';
      expect(await check('WhatsApp number', {})).to.include({ status: 'fail', fix: 'the quality rating is low: Meta may lower the messaging limit; see WhatsApp Manager > Insights before the first broadcast' });
    });

    it('WhatsApp template: no account id, missing, rejected, filed as MARKETING, or the wrong number of parameters', async () => {
      expect((await check('WhatsApp template', { WHATSAPP_BUSINESS_ACCOUNT_ID: '' })).fix).to.match(/^set WHATSAPP_BUSINESS_ACCOUNT_ID/);
      expect((await check('WhatsApp template', { WHATSAPP_BUSINESS_ACCOUNT_ID: '999999' })).fix).to.match(/^WHATSAPP_BUSINESS_ACCOUNT_ID 999999 is not a WhatsApp Business Account/);
      expect((await check('WhatsApp template', { WHATSAPP_TEMPLATE_NAME: 'storing_melding_v2' })).fix).to.match(/^run npm run template:sync/);
      Object.assign(graph.account.templates[0], { status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
      expect((await check('WhatsApp template', {})).detail).to.match(/^storing_melding \(nl\) is REJECTED \(INVALID_FORMAT\)/);
      Object.assign(graph.account.templates[0], { status: 'APPROVED', category: 'MARKETING' });
      const marketing = await check('WhatsApp template', {});
      expect(marketing).to.include({ status: 'fail', detail: 'storing_melding (nl) is APPROVED as MARKETING, not UTILITY: notices would be billed and opted out of as marketing, so the service refuses to send them' });
      expect(marketing.fix).to.match(/^appeal the category in WhatsApp Manager/);
      graph.account.templates[0].category = 'UTILITY';
      Object.assign(graph.account.templates[0], { status: 'APPROVED', components: [{ type: 'BODY', text: 'Storing {{1}} in {{2}}' }] });
      const wrong = await check('WhatsApp template', {});
      expect(wrong.detail).to.equal('storing_melding (nl) is APPROVED but its body has 2 variables; the code fills 5');
      expect(wrong.fix).to.match(/^delete it in WhatsApp Manager and run npm run template:sync/);
    });

    it('public URL: not https, and a /healthz that answers 503', async () => {
      expect((await check('public URL', { PUBLIC_BASE_URL: 'http://storing.cbgconnect.nl', NODE_ENV: 'development' })).fix).to.match(/^set PUBLIC_BASE_URL to the https origin/);
      expect(await check('public URL', {})).to.include({ status: 'skip' });
      await database.dataSource.destroy();
      try {
        const { out } = await doctor();
        expect(out).to.match(/✗ public URL +https:\/\/127\.0\.0\.1:\d+\/healthz answers 503 \(unavailable\)\n\s+fix: a 503 means the service there cannot reach its database/);
      } finally {
        await database.dataSource.initialize();
      }
    });
  });
});
