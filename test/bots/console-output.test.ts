/**
 * No line leaves the service outside its logger (issue 26): botbuilder prints "Error finding key
 * for token. Available keys: -----BEGIN RSA PUBLIC KEY…" with console.error for a Bot Connector
 * token that does not verify. The production command routes the console through the logger.
 */
import { expect } from 'chai';
import { generateKeyPair, SignJWT } from 'jose';
import { BotConnectorStandIn, teamsMessage } from '../helpers/bot-connector';
import { testDataDir, testErasureLog } from '../helpers/data-dir';
import { EntraStandIn } from '../helpers/entra';
import { freshDatabase } from '../helpers/postgres';
import { startServiceProcess } from '../helpers/service-process';

const APP_ID = '6f1d2c3b-1111-4aaa-8bbb-0123456789ab';

describe('console output of the libraries', function () {
  this.timeout(60_000);

  it("goes through the logger: a token signed with the wrong key gets 401, and botbuilder's key dump is one short log line", async () => {
    const keys = new EntraStandIn();
    await keys.start('botframework');
    const connector = new BotConnectorStandIn();
    await connector.start();
    const service = await startServiceProcess(['teams'], {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'bot-password',
      MicrosoftAppTenantId: 'tenant-cbg',
      BOT_OPENID_METADATA_URL: `${keys.authority}/botframework/v2.0/.well-known/openid-configuration`,
      PSEUDONYM_KEYS: '1:pseudonym-key-of-the-console-test-0123456789',
      DATABASE_URL: await freshDatabase(),
      DATA_DIR: testDataDir(),
      ERASURE_LOG: testErasureLog(),
      LOG_LEVEL: 'warn',
    });
    try {
      // The key id is known, the signature is another key's: botbuilder finds the key, then fails to
      // verify (and prints the key); an expired token makes it print the error with its stack.
      const { privateKey } = await generateKeyPair('RS256');
      const token = (expiresAt: number | string) =>
        new SignJWT({ serviceurl: connector.url }).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).setIssuer('https://api.botframework.com').setAudience(APP_ID).setIssuedAt().setExpirationTime(expiresAt).sign(privateKey);
      for (const expiresAt of ['5m', Math.floor(Date.now() / 1000) - 3600]) {
        const res = await fetch(`${service.base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await token(expiresAt)}` }, body: JSON.stringify(teamsMessage(connector.url, '/outage')) });
        expect(res.status).to.equal(401);
      }
    } finally {
      await service.stop();
      await connector.stop();
      await keys.stop();
    }
    expect(service.stderr(), 'nothing on stderr').to.equal('');
    const out = service.stdout().split('\n');
    const dump = out.filter((line) => line.includes('Error finding key for token'));
    expect(dump, service.stdout()).to.have.length(1);
    expect(dump[0]).to.match(/WARN/);
    expect(out.filter((line) => line.includes('source: "console"')).length, 'each console line marked').to.be.at.least(1);
    // The key itself (base64 lines of a PEM) is not printed, nor a stack trace.
    expect(out.filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line.trim()))).to.deep.equal([]);
    expect(out.filter((line) => /^\s+at /.test(line))).to.deep.equal([]);
  });
});
