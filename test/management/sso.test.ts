import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { loadConfig } from '../../src/config';
import { createApp, type App } from '../../src/app';
import { openDatabase, type Database } from '../../src/db/database';
import { testDataDir } from '../helpers/data-dir';
import { EntraStandIn } from '../helpers/entra';
import { memoryLogger } from '../helpers/logger';
import { freshDatabase } from '../helpers/postgres';
import { TEST_PSEUDONYM_KEYS } from '../helpers/keys';
import { changeRole } from '../../src/services/access/staff-roles';

const APP_ID = '6f1d2c3b-1111-4aaa-8bbb-0123456789ab';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('management tab SSO (R16)', () => {
  let entra: EntraStandIn;
  let database: Database;
  let app: App;
  let base: string;

  before(async () => {
    entra = new EntraStandIn();
    const authority = await entra.start(TENANT);
    const { logger } = memoryLogger();
    database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger });
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: TENANT,
      MANAGER_AAD_OBJECT_IDS: 'manager-oid',
      STAFF_AAD_OBJECT_IDS: 'staff-oid',
      ENTRA_AUTHORITY_URL: authority,
      PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl',
      DATA_DIR: testDataDir(),
      PSEUDONYM_KEYS: TEST_PSEUDONYM_KEYS,
    }, { purpose: 'serve', serves: 'teams' });
    app = await createApp(config, database, logger, 'teams');
    base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  after(async () => {
    await app.close();
    await database.close();
    await entra.stop();
  });

  async function stats(token?: string): Promise<{ status: number; body: { error?: string; message?: string; subscribers?: unknown } }> {
    const res = await fetch(`${base}/api/stats`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  }

  it("accepts a manager's valid token", async () => {
    const answer = await stats(await entra.token({ oid: 'manager-oid' }, { audience: APP_ID, tenant: TENANT }));
    expect(answer.status).to.equal(200);
    expect(answer.body.subscribers).to.deep.equal({ active: 0, pending: 0 });
  });

  it('accepts the api:// audience of the tab SSO app registration', async () => {
    const answer = await stats(await entra.token({ oid: 'manager-oid' }, { audience: `api://storing.cbgconnect.nl/${APP_ID}`, tenant: TENANT }));
    expect(answer.status).to.equal(200);
  });

  it('refuses without a token (401)', async () => {
    expect(await stats()).to.deep.include({ status: 401 });
  });

  it('refuses an expired token (401)', async () => {
    const answer = await stats(await entra.token({ oid: 'manager-oid', exp: Math.floor(Date.now() / 1000) - 60 }, { audience: APP_ID, tenant: TENANT, expiresIn: '-1m' }));
    expect(answer.status).to.equal(401);
    expect(answer.body.message).to.match(/not valid \(ERR_JWT_EXPIRED\)/);
  });

  it('refuses a token for another audience (401)', async () => {
    const answer = await stats(await entra.token({ oid: 'manager-oid' }, { audience: 'some-other-app', tenant: TENANT }));
    expect(answer.status).to.equal(401);
  });

  it('refuses a token signed with another key (401)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const answer = await stats(await entra.token({ oid: 'manager-oid' }, { audience: APP_ID, tenant: TENANT, key: privateKey }));
    expect(answer.status).to.equal(401);
    expect(answer.body.message).to.match(/not valid/);
  });

  it('refuses a token without the access_as_user scope (401)', async () => {
    const answer = await stats(await entra.token({ oid: 'manager-oid', scp: 'User.Read' }, { audience: APP_ID, tenant: TENANT }));
    expect(answer.status).to.equal(401);
  });

  it('refuses a valid token of someone who is not a manager (403), staff included', async () => {
    const answer = await stats(await entra.token({ oid: 'staff-oid' }, { audience: APP_ID, tenant: TENANT }));
    expect(answer).to.deep.equal({ status: 403, body: { error: 'forbidden', message: 'only management may see these figures' } });
  });

  it('lets in a manager an administrator granted with /rechten, at once, and refuses them again once revoked', async () => {
    const colleague = '3c1e5a7b-2d4f-4e6a-8b9c-0d1e2f3a4b5c';
    const token = await entra.token({ oid: colleague }, { audience: APP_ID, tenant: TENANT });
    expect((await stats(token)).status).to.equal(403);
    const bootstrap = { adminIds: [], staffIds: ['staff-oid'], managerIds: ['manager-oid'] };
    expect(await changeRole(database.dataSource, bootstrap, colleague, 'manager', true, 'admin-oid')).to.deep.equal({ changed: true, holds: true, because: undefined });
    expect((await stats(token)).status).to.equal(200);
    expect(await changeRole(database.dataSource, bootstrap, colleague, 'manager', false, 'admin-oid')).to.deep.equal({ changed: true, holds: false, because: undefined });
    expect((await stats(token)).status).to.equal(403);
  });
});
