/**
 * Answers for requests the service cannot take: a body over the limit (413), and a token it
 * cannot check because the signing keys are out of reach (503, so the caller retries), both as
 * JSON without a stack trace.
 */
import { expect } from 'chai';
import { SignJWT } from 'jose';
import type { App } from '../src/app';
import type { Database } from '../src/db/database';
import { BotConnectorStandIn, teamsMessage } from './helpers/bot-connector';
import { EntraStandIn } from './helpers/entra';
import { freePort } from '../src/lib/free-port';
import { startService } from './helpers/service';

const APP_ID = '6f1d2c3b-1111-4aaa-8bbb-0123456789ab';

describe('requests the service cannot take', function () {
  this.timeout(30_000);
  let database: Database;
  let app: App;
  let base: string;

  async function start(env: Record<string, string>): Promise<void> {
    ({ app, database, base } = await startService(env));
  }

  afterEach(async () => {
    await app.close();
    await database.close();
  });

  it('answers 413 with JSON to a body over the limit, on the bot and on the webhook', async () => {
    await start({});
    const bot = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"type":"message","text":"${'x'.repeat(1024 * 1024 + 10)}"}` });
    expect(bot.status).to.equal(413);
    expect(await bot.json()).to.deep.equal({ error: 'payload_too_large', message: 'request body is larger than 1048576 bytes' });
    const webhook = await fetch(`${base}/webhooks/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=00' }, body: 'x'.repeat(3 * 1024 * 1024 + 1) });
    expect(webhook.status).to.equal(413);
    expect(((await webhook.json()) as { error: string }).error).to.equal('payload_too_large');
  });

  it("answers 503 with a reason when the Bot Framework's signing keys cannot be fetched", async () => {
    await start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg', BOT_OPENID_METADATA_URL: `http://127.0.0.1:${await freePort()}/v1/.well-known/openidconfiguration` });
    const connector = new BotConnectorStandIn();
    await connector.start();
    const token = await new SignJWT({ serviceurl: connector.url })
      .setProtectedHeader({ alg: 'HS256', kid: 'some-key' })
      .setIssuer('https://api.botframework.com')
      .setAudience(APP_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-the-real-key-but-long-enough-for-hs256'));
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(teamsMessage(connector.url, '/outage')) });
    const text = await res.text();
    await connector.stop();
    expect(res.status, text).to.equal(503);
    expect(JSON.parse(text)).to.deep.equal({ error: 'unavailable', message: 'the Bot Framework signing keys cannot be fetched right now; try again' });
    expect(connector.calls).to.deep.equal([]);
  });

  it('still answers 401 to a request without a token', async () => {
    await start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg' });
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(teamsMessage('http://127.0.0.1:9', '/outage')) });
    expect(res.status).to.equal(401);
  });

  it("answers 503 on /api/stats when Entra ID's discovery cannot be reached", async () => {
    const entra = new EntraStandIn();
    const authority = await entra.start('tenant-cbg');
    const token = await entra.token({ oid: 'manager-aad-1' }, { audience: APP_ID, tenant: 'tenant-cbg' });
    await entra.stop();
    await start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant-cbg', ENTRA_AUTHORITY_URL: authority, MANAGER_AAD_OBJECT_IDS: 'manager-aad-1' });
    const res = await fetch(`${base}/api/stats`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { message: string }).message).to.match(/Entra ID cannot be reached/);
  });

  it('answers 503 on /api/stats when the discovery answers but the key set does not', async () => {
    const entra = new EntraStandIn();
    const authority = await entra.start('tenant-cbg');
    entra.keysStatus = 500;
    const token = await entra.token({ oid: 'manager-aad-1' }, { audience: APP_ID, tenant: 'tenant-cbg' });
    await start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant-cbg', ENTRA_AUTHORITY_URL: authority, MANAGER_AAD_OBJECT_IDS: 'manager-aad-1' });
    const res = await fetch(`${base}/api/stats`, { headers: { Authorization: `Bearer ${token}` } });
    await entra.stop();
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { message: string }).message).to.equal('the signing keys of Entra ID cannot be fetched right now; try again');
  });
});
