/**
 * Local mode is reachable from this computer only: a request that came through a proxy or a
 * tunnel (Forwarded, X-Forwarded-For) is refused, sent from another process as a proxy would;
 * /playground exists only for `npm run playground`, whatever Host header a client sends.
 */
import { expect } from 'chai';
import { PLAYGROUND_PHONES } from '../../src/playground/feature';
import { remote } from '../helpers/remote-client';
import { startService, type TestService } from '../helpers/service';

describe('security: local mode answers this computer only', function () {
  this.timeout(30_000);
  let service: TestService;

  afterEach(async () => {
    await service.app.close();
    await service.database.close();
  });

  it('refuses requests that came through a proxy or tunnel, on every route', async () => {
    service = await startService();
    const { base } = service;
    const statuses = await remote({
      kind: 'requests',
      requests: [
        { url: `${base}/healthz` },
        { url: `${base}/healthz`, headers: { 'X-Forwarded-For': '203.0.113.7' } },
        { url: `${base}/api/stats`, headers: { Forwarded: 'for=203.0.113.7;proto=https' } },
        { url: `${base}/api/messages`, method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Real-IP': '203.0.113.7' }, body: '{"type":"message"}' },
        { url: `${base}/tab`, headers: { 'X-Forwarded-Host': 'storing.example' } },
      ],
    });
    expect(statuses).to.deep.equal([200, 403, 403, 403, 403]);
  });

  it("refuses what another site could make the developer's browser send: a foreign Host or Origin, a cross-site fetch, a POST that is not JSON", async () => {
    service = await startService();
    const { base } = service;
    const activity = JSON.stringify({ type: 'message', text: '/abonnee 0612345678', serviceUrl: 'http://evil.example' });
    const statuses = await remote({
      kind: 'requests',
      requests: [
        { url: `${base}/api/messages`, method: 'POST', headers: { Host: 'evil.example', 'Content-Type': 'application/json' }, body: activity },
        { url: `${base}/api/messages`, method: 'POST', headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: activity },
        { url: `${base}/api/stats`, headers: { 'Sec-Fetch-Site': 'cross-site' } },
        { url: `${base}/api/messages`, method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: activity },
        { url: `${base}/api/stats`, headers: { Origin: base } },
      ],
    });
    expect(statuses).to.deep.equal([403, 403, 403, 403, 200]);
  });

  it('serves no /playground under npm start, even to a client that says Host: localhost', async () => {
    service = await startService();
    const number = PLAYGROUND_PHONES[0].number;
    const statuses = await remote({
      kind: 'requests',
      requests: [
        { url: `${service.base}/playground`, headers: { Host: 'localhost:3978' } },
        { url: `${service.base}/playground/api/state`, headers: { Host: 'localhost' } },
        { url: `${service.base}/playground/api/phones/${number}/messages`, method: 'POST', headers: { Host: 'localhost', 'Content-Type': 'application/json' }, body: '{"text":"hallo"}' },
      ],
    });
    expect(statuses).to.deep.equal([404, 404, 404]);
  });

  it('serves /playground when npm run playground asks for it, and still not through a proxy', async () => {
    service = await startService({ BUSINESS_HOURS: 'always' }, { playground: true });
    const statuses = await remote({ kind: 'requests', requests: [{ url: `${service.base}/playground/api/state` }, { url: `${service.base}/playground/api/state`, headers: { 'X-Forwarded-For': '203.0.113.7' } }] });
    expect(statuses).to.deep.equal([200, 403]);
  });
});
