import { expect } from 'chai';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { CloudApiError, classifyCloudApiError, parseRetryAfter } from '../../../src/channels/whatsapp/cloud-api-errors';
import { ScriptedGraphStandIn } from '../../helpers/scripted-graph';

describe('WhatsApp Cloud API client', () => {
  let graph: ScriptedGraphStandIn;
  let client: CloudApiClient;

  before(async () => {
    graph = new ScriptedGraphStandIn({ accessToken: 'tok', phoneNumberId: '1065' });
    const url = await graph.start();
    client = new CloudApiClient({ baseUrl: url, version: 'v25.0', phoneNumberId: '1065', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl', timeoutMs: 300 });
  });
  after(async () => {
    client.close();
    await graph.stop();
  });

  async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(CloudApiError);
      return error as CloudApiError;
    }
    throw new Error('expected a CloudApiError');
  }

  it('sends a template to the exact URL with the bearer token and body', async () => {
    const { id } = await client.sendTemplate('31612345678', ['Storing', 'internet', 'Landelijk', 'Hoog', 'Tekst'], { opaque: 'delivery:42' });
    const last = graph.requests.at(-1)!;
    expect(id).to.equal(last.answeredId);
    expect(last.path).to.equal('/v25.0/1065/messages');
    expect(last.authorization).to.equal('Bearer tok');
    expect(last.body).to.deep.equal({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '31612345678',
      type: 'template',
      template: {
        name: 'storing_melding',
        language: { code: 'nl', policy: 'deterministic' },
        components: [{ type: 'body', parameters: ['Storing', 'internet', 'Landelijk', 'Hoog', 'Tekst'].map((text) => ({ type: 'text', text })) }],
      },
      biz_opaque_callback_data: 'delivery:42',
    });
  });

  it("sends to a username user's business-scoped user id in `recipient`, without `to`, and reads v25's answer without wa_id", async () => {
    const { id } = await client.sendText('NL.13491208655302741918', 'Hallo');
    const last = graph.requests.at(-1)!;
    expect(last.body).to.deep.equal({ messaging_product: 'whatsapp', recipient_type: 'individual', recipient: 'NL.13491208655302741918', type: 'text', text: { body: 'Hallo', preview_url: false } });
    expect(id).to.equal(last.answeredId);
    // The stand-in answers as v25 does: contacts[].input and user_id, no wa_id; only messages[0].id is read.
    const raw = await fetch(`${graph.url}/v25.0/1065/messages`, { method: 'POST', headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/json' }, body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '31612345678', type: 'text', text: { body: 'x' } }) });
    const answer: unknown = await raw.json();
    expect(answer).to.have.nested.property('contacts[0].input', '31612345678');
    expect(answer).to.not.have.nested.property('contacts[0].wa_id');
  });

  it('sends text and marks messages as read', async () => {
    await client.sendText('31612345678', 'Hallo');
    expect(graph.requests.at(-1)!.body).to.deep.equal({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '31612345678', type: 'text', text: { body: 'Hallo', preview_url: false } });
    await client.markRead('wamid.X');
    expect(graph.requests.at(-1)!.body).to.deep.equal({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' });
  });

  it('maps throughput errors with Retry-After to a global, retryable slow-down', async () => {
    graph.script.push({ status: 429, error: { code: 130429, message: 'Rate limit hit' }, retryAfterSeconds: 2 });
    const error = await failure(client.sendText('31612345678', 'x'));
    expect(error).to.include({ httpStatus: 429, code: 130429, kind: 'retryable', scope: 'global', retryAfterMs: 2000 });
  });

  it('maps the pair rate limit to a retry of that recipient only', async () => {
    graph.script.push({ status: 400, error: { code: 131056, message: 'Pair rate limit hit' } });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'retryable', scope: 'recipient' });
  });

  it("maps a recipient's errors to a permanent failure, and a notice's text errors to a stop of that notice (the same for every recipient)", async () => {
    graph.script.push({ status: 400, error: { code: 131026, message: 'Message undeliverable' } });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'permanent', scope: 'recipient', code: 131026 });
    const error = await failure(client.sendTemplate('31612345678', ['line\nbreak']));
    expect(error).to.include({ kind: 'stop', scope: 'notice', code: 132018 });
  });

  it('maps spam limits and a restricted account to stop-everything', async () => {
    graph.script.push({ status: 400, error: { code: 131048, message: 'Spam rate limit hit' } });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'stop' });
    graph.script.push({ status: 400, error: { code: 368, message: 'Temporarily blocked for policies violations' } });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'stop' });
  });

  it('treats 5xx, timeouts and connection resets as retryable', async () => {
    graph.script.push({ status: 500, error: { code: 131000, message: 'Something went wrong' } });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'retryable', httpStatus: 500 });
    graph.script.push({ hang: true });
    const timeout = await failure(client.sendText('31612345678', 'x'));
    expect(timeout).to.include({ kind: 'retryable', httpStatus: 0 });
    expect(timeout.title).to.match(/no answer within 300 ms/);
    graph.script.push({ reset: true });
    expect(await failure(client.sendText('31612345678', 'x'))).to.include({ kind: 'retryable', httpStatus: 0 });
  });

  it('refuses a wrong token the way Graph does', async () => {
    const other = new CloudApiClient({ baseUrl: graph.url, version: 'v25.0', phoneNumberId: '1065', accessToken: 'wrong', templateName: 't', templateLanguage: 'nl' });
    expect(await failure(other.sendText('31612345678', 'x'))).to.include({ httpStatus: 401, code: 190, kind: 'stop', scope: 'account' });
    other.close();
  });

  it("reads Meta's generic code 100 as the number's fault only when Meta says so (subcode 33, or details naming the phone number id)", () => {
    expect(classifyCloudApiError(400, 100, '(#100) Invalid parameter')).to.include({ kind: 'permanent', scope: 'request' });
    expect(classifyCloudApiError(400, 100, 'Parameter recipient_type is invalid')).to.include({ kind: 'permanent', scope: 'request' });
    expect(classifyCloudApiError(400, 100, "Unsupported post request. Object with ID '1065' does not exist", undefined, 33)).to.include({ kind: 'stop', scope: 'number' });
    expect(classifyCloudApiError(400, 100, 'Invalid parameter: phone_number_id')).to.include({ kind: 'stop', scope: 'number' });
  });

  it('is told by Graph (the stand-in) that a wrong phone number id does not exist: code 100, subcode 33, the number', async () => {
    const wrongNumber = new CloudApiClient({ baseUrl: graph.url, version: 'v25.0', phoneNumberId: '999000999', accessToken: 'tok', templateName: 't', templateLanguage: 'nl' });
    expect(await failure(wrongNumber.sendText('31612345678', 'x'))).to.include({ httpStatus: 400, code: 100, kind: 'stop', scope: 'number' });
    wrongNumber.close();
  });

  it('classifies every code of the platform table', () => {
    const kinds = (code: number, status = 400) => classifyCloudApiError(status, code, '').kind;
    expect([130429, 4, 80007, 131056, 131000].map((c) => kinds(c))).to.deep.equal(['retryable', 'retryable', 'retryable', 'retryable', 'retryable']);
    expect([131026, 131047, 131049, 131050, 131051, 131062].map((c) => kinds(c))).to.deep.equal(Array(6).fill('permanent'));
    // By scope (Meta's error-code page): the account or token, the number, the template. None fails a recipient.
    const scopes = (code: number) => classifyCloudApiError(400, code, '').scope;
    const stops = [190, 10, 200, 294, 131005, 131031, 131042, 368, 131048, 133010, 132000, 132001, 132015, 132016, 132005, 132007, 132012, 132018];
    expect(stops.map((c) => kinds(c))).to.deep.equal(Array(stops.length).fill('stop'));
    // 131048 is the number's spam rate limit (its quality rating), not the token or the account (A4).
    expect(stops.map((c) => scopes(c))).to.deep.equal([...Array<string>(8).fill('account'), 'number', 'number', ...Array<string>(4).fill('template'), ...Array<string>(4).fill('notice')]);
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).to.be.within(3000, 5000);
  });
});
