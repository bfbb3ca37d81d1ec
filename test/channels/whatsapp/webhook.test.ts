import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Delivery, DeliveryStatus, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../../../src/entities';
import { signBody } from '../../../src/channels/whatsapp/webhook';
import { waitFor } from '../../helpers/wait';
import { APP_SECRET, startWhatsAppApp, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/whatsapp', name), 'utf8')) as Record<string, unknown>;

describe('WhatsApp webhook', () => {
  let t: WhatsAppTestApp;

  before(async () => {
    t = await startWhatsAppApp();
  });
  after(async () => t.close());

  async function count(table: string): Promise<number> {
    const [{ n }]: { n: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`);
    return n;
  }

  /** The webhook's event counter for one kind and outcome (0 before the first). */
  async function eventsCounted(kind: string, outcome: string): Promise<number> {
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`whatsapp_webhook_events_total{kind="${kind}",outcome="${outcome}"} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  describe('verification (GET)', () => {
    it('answers the challenge as plain text when the token matches', async () => {
      const res = await fetch(`${t.base}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/text\/plain/);
      expect(await res.text()).to.equal('1158201444');
    });

    it('refuses a wrong token with 403', async () => {
      const res = await fetch(`${t.base}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess`);
      expect(res.status).to.equal(403);
    });
  });

  describe('signature (POST)', () => {
    for (const [label, signature] of [
      ['missing', null],
      ['wrong', signBody('another-secret', '{}')],
      ['malformed', 'sha1=abc'],
    ] as const) {
      it(`answers 401 and stores nothing when the signature is ${label}`, async () => {
        const before = await count('inbound_message');
        const sent = t.graph.requests.length;
        const res = await t.post(fixture('text.json'), { signature });
        expect(res.status).to.equal(401);
        expect(await res.json()).to.deep.equal({ error: 'unauthorized', message: 'missing or invalid X-Hub-Signature-256' });
        expect(await count('inbound_message')).to.equal(before);
        expect(t.graph.requests.length).to.equal(sent);
      });
    }

    it('answers 401 when the body was changed after signing', async () => {
      const raw = JSON.stringify(fixture('text.json'));
      const res = await fetch(`${t.base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(APP_SECRET, raw) },
        body: raw.replace('Hallo', 'Hallo!'),
      });
      expect(res.status).to.equal(401);
    });
  });

  describe('bad bodies', () => {
    it('answers 400 to signed bytes that are not JSON, and stores nothing', async () => {
      const raw = '{"object": "whatsapp_business_account", "entry": [';
      const before = await count('inbound_message');
      const res = await fetch(`${t.base}/webhooks/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(APP_SECRET, raw) }, body: raw });
      expect(res.status).to.equal(400);
      expect((await res.json()) as object).to.deep.equal({ error: 'invalid_request', message: 'body is not valid JSON' });
      expect(await count('inbound_message')).to.equal(before);
    });

    it('answers 400 naming the field when the envelope is wrong, and stores nothing', async () => {
      const body = fixture('text.json') as { entry: { changes: unknown }[] };
      body.entry[0].changes = 'not-a-list';
      const ids = await count('inbound_message');
      const res = await t.post(body);
      expect(res.status).to.equal(400);
      const answer = (await res.json()) as { message: string };
      expect(answer.message).to.match(/entry\.0\.changes/);
      expect(JSON.stringify(answer)).not.to.include('31687654321');
      expect(await count('inbound_message')).to.equal(ids);
    });

    it('answers 200 and ignores well-formed kinds it does not handle', async () => {
      const res = await t.post({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }] });
      expect(res.status).to.equal(200);
    });
  });

  it("handles Meta's sample text message, and a redelivery of it changes nothing", async () => {
    const body = fixture('text.json');
    expect((await t.post(body)).status).to.equal(200);
    await textsTo(t.graph, '31687654321', 1);
    const ids = await count('inbound_message');
    const duplicates = await eventsCounted('message', 'duplicate');
    expect((await t.post(body)).status).to.equal(200);
    expect(await count('inbound_message')).to.equal(ids);
    expect(await eventsCounted('message', 'duplicate')).to.equal(duplicates + 1);
    // Every reply the redelivery could have caused has been answered by now: none was sent.
    await t.repliesSettled();
    expect(t.graph.messagesTo('31687654321')).to.have.length(1);
  });

  it("handles Meta's sample image and unsupported-type messages like any other message (R10)", async () => {
    expect((await t.post(fixture('image.json'))).status).to.equal(200);
    expect((await t.post(fixture('error.json'))).status).to.equal(200);
    expect((await textsTo(t.graph, '31687654322', 1))[0]).to.match(/verstuurt alleen storingsmeldingen/);
    expect((await textsTo(t.graph, '31687654323', 1))[0]).to.match(/verstuurt alleen storingsmeldingen/);
  });

  it("applies Meta's sample status callbacks to the delivery ledger, never backwards", async () => {
    const db = t.database.dataSource;
    const outage = await db.getRepository(Outage).save({ service: OutageService.Voip, scope: OutageScope.Landelijk, severity: OutageSeverity.Laag, createdBy: 's' });
    const message = await db.getRepository(OutageMessage).save({ outageId: outage.id, kind: OutageMessageKind.Initial, text: 'x', templateParameters: [], status: OutageMessageStatus.Done, createdBy: 's' });
    const delivery = await db.getRepository(Delivery).save({
      outageMessageId: message.id,
      phone: '31612345678',
      status: DeliveryStatus.Sent,
      waMessageId: 'wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI0QzdBMkZBRjM5MjQ2QjNGNzAA',
    });
    expect((await t.post(fixture('status-delivered.json'))).status).to.equal(200);
    let row = await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id });
    expect(row.status).to.equal(DeliveryStatus.Delivered);
    expect(row.deliveredAt?.getTime()).to.equal(1763892100 * 1000);

    // An older "sent" arriving late does not move it back.
    const late = textWebhook('31600000000', 'x') as { entry: { changes: { value: Record<string, unknown> }[] }[] };
    late.entry[0].changes[0].value = { messaging_product: 'whatsapp', metadata: { phone_number_id: '106540352242922' }, statuses: [{ id: delivery.waMessageId, status: 'sent', timestamp: '1763892050', recipient_id: '31612345678' }] };
    await t.post(late);
    row = await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id });
    expect(row.status).to.equal(DeliveryStatus.Delivered);

    expect((await t.post(fixture('status-failed.json'))).status).to.equal(200);
    row = await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id });
    expect(row).to.include({ status: DeliveryStatus.Failed, errorCode: 131026, errorTitle: 'Message undeliverable' });
  });

  it('answers 200 to statuses of unknown messages and counts them', async () => {
    const body = fixture('status-delivered.json') as { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] };
    body.entry[0].changes[0].value.statuses[0].id = 'wamid.unknown';
    expect((await t.post(body)).status).to.equal(200);
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).to.match(/whatsapp_webhook_events_total\{kind="status",outcome="unknown"\} [1-9]/);
  });

  it('never writes a full phone number to the log', async () => {
    // A reply Meta refuses is logged with the number, and here Meta's error text names it too.
    const phone = '31687654329';
    t.graph.script.push({ status: 400, error: { code: 131026, message: `Message undeliverable to ${phone}` } });
    expect((await t.post(textWebhook(phone, 'Hallo'))).status).to.equal(200);
    await t.repliesSettled();
    const refused = await waitFor(() => t.logLines.find((l) => l.includes('reply not sent')), { what: 'the log line of the refused reply' });
    expect(refused).to.include('****4329');
    expect(refused).to.include('131026');
    // The whole log of this app (every test above): not empty, and no full number in it.
    expect(t.logLines.length).to.be.greaterThan(1);
    expect(t.logLines.join('\n')).not.to.match(/3168765432\d/);
  });
});
