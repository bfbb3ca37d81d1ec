import { expect } from 'chai';
import type { App } from '../../src/app';
import type { Database } from '../../src/db/database';
import { AuditEvent, Customer, Delivery, Outage, OutageMessage, OutageMessageStatus, Subscriber, SubscriberStatus, SubscriptionEventKind } from '../../src/entities';
import { loadConfig } from '../../src/config';
import { eraseSubscriber } from '../../src/services/privacy/erasure';
import { testErasureLog } from '../helpers/data-dir';
import { BotConnectorStandIn, cardAction, teamsMessage } from '../helpers/bot-connector';
import { startService } from '../helpers/service';
import { waitFor } from '../helpers/wait';

type CardAction = { verb: string; title?: string; data: Record<string, unknown> };
type CardJson = { body: Record<string, unknown>[]; actions?: CardAction[]; refresh?: { action: CardAction; userIds?: string[] } };

/** A business-hours window that is closed right now (a weekday that is not today). */
function closedWindow(): string {
  const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'short' }).format(new Date()).toLowerCase();
  const other = today === 'sat' ? 'sun' : 'sat';
  return `${other}-${other} 08:30-17:00 Europe/Amsterdam`;
}

function texts(card: CardJson): string {
  return JSON.stringify(card);
}

describe('Teams staff bot over HTTP', function () {
  this.timeout(30_000);
  let connector: BotConnectorStandIn;
  let database: Database;
  let app: App;
  let base: string;

  let logLines: () => string[] = () => [];

  async function startApp(env: Record<string, string>): Promise<void> {
    let lines: string[];
    ({ app, database, base, lines } = await startService({ BUSINESS_HOURS: 'always', ...env }));
    logLines = () => lines;
    const [utrecht, zeeland] = await database.dataSource.getRepository(Customer).save([
      { customerNumber: 'C-1', name: 'Utrechtse Bakkerij', regions: ['UT'] },
      { customerNumber: 'C-2', name: 'Zeeuwse Visserij', regions: ['ZE'] },
    ]);
    await database.dataSource.getRepository(Subscriber).save([
      { phone: '31611111111', firstName: 'Ada', customerId: utrecht.id, status: SubscriberStatus.Active },
      { phone: '31622222222', firstName: 'Bas', customerId: zeeland.id, status: SubscriberStatus.Active },
      { phone: '31633333333', firstName: null, customerId: zeeland.id, status: SubscriberStatus.PendingName },
    ]);
  }

  async function post(activity: unknown): Promise<{ status: number; body: { statusCode?: number; type?: string; value?: CardJson } }> {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as { statusCode?: number; type?: string; value?: CardJson }) : {} };
  }

  async function invoke(verb: string, data: Record<string, unknown>, options: Parameters<typeof cardAction>[3] = {}): Promise<CardJson> {
    const answer = await post(cardAction(connector.url, verb, data, options));
    expect(answer.status).to.equal(200);
    expect(answer.body.statusCode).to.equal(200);
    expect(answer.body.type).to.equal('application/vnd.microsoft.card.adaptive');
    return answer.body.value!;
  }

  const valid = { service: 'internet', scope: 'regionaal', regions: 'UT,NH', severity: 'hoog', text: 'Storing op het KPN-netwerk in Utrecht: geen internet.', expectedResolution: '14:00' };

  beforeEach(async () => {
    connector = new BotConnectorStandIn();
    await connector.start();
  });
  afterEach(async () => {
    await app.close();
    await database.close();
    await connector.stop();
  });

  it('answers /outage (with a mention, without the slash too) with the compose card', async () => {
    await startApp({});
    for (const text of ['/outage', '<at>Storingsmelder</at> outage']) {
      const res = await post(teamsMessage(connector.url, text));
      expect(res.status).to.equal(200);
    }
    const cards = connector.cards() as CardJson[];
    expect(cards).to.have.length(2);
    const ids = cards[0].body.map((e) => e.id).filter(Boolean);
    expect(ids).to.deep.equal(['service', 'scope', 'regions', 'severity', 'text', 'expectedResolution']);
    expect(connector.calls[0].path).to.match(/^\/v3\/conversations\/a%3Aconversation-1\/activities\/incoming-\d+$/);
  });

  it('returns validation errors on the card in Dutch, keeping the values entered', async () => {
    await startApp({});
    const card = await invoke('preview', { kind: 'initial', service: 'internet', scope: 'regionaal', regions: '', severity: 'hoog', text: 'kort' });
    expect(texts(card)).to.include('Kies minstens één provincie voor een regionale storing.');
    expect(texts(card)).to.include('De tekst moet minimaal 10 tekens bevatten.');
    const text = card.body.find((e) => e.id === 'text');
    expect(text?.value).to.equal('kort');
  });

  it('previews the exact WhatsApp text, the audience and "now"; warns about planned works (R13)', async () => {
    await startApp({});
    const card = await invoke('preview', { kind: 'initial', ...valid, text: 'Gepland onderhoud aan de centrale in Utrecht.' });
    const json = texts(card);
    // The template's lines one per TextBlock (Teams would join them), WhatsApp's *bold* as bold.
    const message = card.body.find((e) => e.type === 'Container') as { items: { text: string; spacing: string }[] };
    expect(message.items.map((b) => b.text)).to.deep.equal([
      '**Storing** KPN internet',
      'Gebied: Utrecht, Noord-Holland',
      'Impact: Hoog',
      'Gepland onderhoud aan de centrale in Utrecht. Verwachte oplossing: 14:00.',
      'CBG Connect. Afmelden? Stuur "afmelden".',
    ]);
    expect(message.items.map((b) => b.spacing)).to.deep.equal(['Default', 'None', 'None', 'Medium', 'Medium']);
    expect(json).to.include('{"title":"Ontvangers","value":"1"}');
    expect(json).to.include('Direct na Versturen');
    expect(json).to.include('gepland onderhoud of geplande werkzaamheden');
    expect(card.actions!.map((a) => a.verb)).to.deep.equal(['send', 'edit', 'cancel']);
  });

  it('sends once even when Versturen is clicked twice: one notice, one delivery per active recipient (R3, R9)', async () => {
    await startApp({});
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    const send = preview.actions!.find((a) => a.verb === 'send')!;
    const [first, second] = await Promise.all([invoke('send', send.data), invoke('send', send.data)]);
    expect(texts(first)).to.include('Wordt verstuurd.');
    expect(texts(second)).to.include('Wordt verstuurd.');
    const db = database.dataSource;
    expect(await db.getRepository(OutageMessage).count()).to.equal(1);
    const deliveries = await db.getRepository(Delivery).find();
    expect(deliveries.map((d) => d.phone).sort()).to.deep.equal(['31611111111', '31622222222']);
    const message = await db.getRepository(OutageMessage).findOneByOrFail({});
    expect(message.cardActivityId).to.equal('card-activity-1');
    expect(message.conversationReference).to.have.property('serviceUrl', connector.url);
    expect(first.actions!.map((a) => a.verb)).to.deep.equal(['update', 'resolve', 'status']);
  });

  it('refreshes the status card in place (updateActivity) while the notice is sent', async () => {
    await startApp({});
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    const deadline = Date.now() + 15_000;
    while (!connector.calls.some((c) => c.method === 'PUT') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const update = connector.calls.find((c) => c.method === 'PUT');
    expect(update, 'a PUT of the card activity').to.not.equal(undefined);
    expect(update!.path).to.equal('/v3/conversations/a%3Aconversation-1/activities/card-activity-1');
    expect(JSON.stringify(update!.body.attachments?.[0]?.content)).to.include('Ontvangers');
  });

  it('holds a notice outside business hours and says when it goes (R12); staff can cancel it', async () => {
    await startApp({ BUSINESS_HOURS: closedWindow() });
    const preview = await invoke('preview', { kind: 'initial', ...valid });
    expect(texts(preview)).to.match(/Buiten kantoortijden: wordt verstuurd op (zaterdag|zondag) \d+ \w+ om 08:30/);
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    expect(texts(status)).to.match(/wordt verstuurd op (zaterdag|zondag)/);
    expect(await database.dataSource.getRepository(Delivery).count()).to.equal(0);
    const cancel = status.actions!.find((a) => a.verb === 'cancel')!;
    expect(texts(await invoke('cancel', cancel.data))).to.include('Geannuleerd');
  });

  it('sends "opgelost" to the same audience minus who left, and closes the outage', async () => {
    await startApp({});
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    const resolve = status.actions!.find((a) => a.verb === 'resolve')!;
    const outageId = resolve.data.outageId as string;
    // Bas opts out (as privacy/erasure.ts removes a subscriber).
    const bas = await database.dataSource.getRepository(Subscriber).findOneByOrFail({ phone: '31622222222' });
    const config = loadConfig({ ERASURE_LOG: testErasureLog() }, { purpose: 'local' });
    await database.dataSource.transaction((manager) => eraseSubscriber(manager, config, bas, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber', mail: false }));
    // Opgelost leaves the status card a status card and posts the compose card below it.
    const clicked = await invoke('resolve', resolve.data);
    expect(texts(clicked)).to.include('Ontvangers').and.not.include('Tekst voor de klant');
    const posted = connector.calls.filter((c) => c.method === 'POST' && JSON.stringify(c.body).includes('Storing opgelost'));
    expect(posted, 'the compose card posted as a new message').to.have.length(1);
    const composeActivityId = `activity-${connector.calls.indexOf(posted[0]) + 1}`;
    const resolvedPreview = await invoke('preview', { kind: 'resolved', outageId, text: 'De storing is verholpen. Excuses voor het ongemak.' }, { replyToId: composeActivityId });
    expect(texts(resolvedPreview)).to.include('"**Opgelost** KPN internet"');
    // A resolution reads as one: its own template, without the Impact line.
    expect(texts(resolvedPreview)).to.include('Gebied: Landelijk').and.include('De storing is verholpen. Excuses voor het ongemak.').and.not.include('Impact');
    await invoke('send', resolvedPreview.actions!.find((a) => a.verb === 'send')!.data, { replyToId: composeActivityId });
    const messages = await database.dataSource.getRepository(OutageMessage).find({ order: { createdAt: 'ASC' } });
    const followUp = await database.dataSource.getRepository(Delivery).findBy({ outageMessageId: messages[1].id });
    expect(followUp.map((d) => d.phone)).to.deep.equal(['31611111111']);
    // Each notice keeps its own card: the first one's figures stay in the chat.
    expect(messages.map((m) => m.cardActivityId)).to.deep.equal(['card-activity-1', composeActivityId]);
    expect((await database.dataSource.getRepository(Outage).findOneByOrFail({ id: outageId })).status).to.equal('resolved');
  });

  it('gives Update and Opgelost cards of their own: the outage named, no outage-only hints, severity kept (asked again only for an update)', async () => {
    await startApp({});
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    const follow = (verb: string) => {
      const data = status.actions!.find((a) => a.verb === verb)!.data;
      return invoke(verb, data).then(() => connector.cards().at(-1) as CardJson);
    };
    const inputs = (card: CardJson) => card.body.filter((e) => String(e.type).startsWith('Input.') && e.isVisible !== false).map((e) => [e.id, e.placeholder ?? null]);
    const resolved = await follow('resolve');
    expect(texts(resolved)).to.include('Storing opgelost').and.include('KPN internet · Landelijk · Hoog').and.not.include('geen gepland onderhoud');
    expect(inputs(resolved)).to.deep.equal([['text', 'Wat is er opgelost? Bijv. alle verbindingen werken weer sinds 14:10.']]);
    const update = await follow('update');
    expect(texts(update)).to.include('Update van de storing').and.not.include('geen gepland onderhoud');
    expect(inputs(update).map(([id]) => id)).to.deep.equal(['severity', 'text', 'expectedResolution']);
    expect(update.body.find((e) => e.id === 'severity')!.value, 'the outage\'s severity preselected').to.equal('hoog');
    expect(String(update.body.find((e) => e.id === 'text')!.placeholder)).to.match(/^Wat is er veranderd\?/);
  });

  it('keeps the status card counting: Teams refreshes it when shown, with the current figures, for a week after the last send', async () => {
    await startApp({ STAFF_AAD_OBJECT_IDS: 'staff-aad-1' });
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    const db = database.dataSource;
    const messageId = status.actions!.find((a) => a.verb === 'resolve')!.data.messageId as string;
    await waitFor(async () => (await db.getRepository(OutageMessage).findOneByOrFail({ id: messageId })).status === OutageMessageStatus.Done, { what: 'the notice sent' });
    const done = await invoke('status', { messageId }, { trigger: 'automatic' });
    expect(done.refresh?.action.verb, 'once it is out').to.equal('status');
    expect(done.refresh?.userIds, 'automatic for the staff member in any chat').to.deep.equal(['29:staff-user']);
    // An hour later both recipients have read it (Meta's read statuses, as the ledger keeps them).
    await db.query(`UPDATE delivery SET status = 'read', delivered_at = now(), read_at = now() WHERE outage_message_id = $1`, [messageId]);
    const auditBefore = await db.getRepository(AuditEvent).count();
    const refreshed = await invoke('status', done.refresh!.action.data, { trigger: 'automatic' });
    expect(refreshed.body.find((e) => e.type === 'FactSet')!.facts).to.deep.include({ title: 'Gelezen', value: '2' });
    expect(refreshed.refresh?.action.verb, 'it keeps asking').to.equal('status');
    expect(await db.getRepository(AuditEvent).count(), 'a glance at a card is not audited').to.equal(auditBefore);
    // Someone in the chat who is not staff sees the card as it is, without refresh; the refusal is audited.
    const other = await invoke('status', done.refresh!.action.data, { trigger: 'automatic', aadObjectId: 'not-staff' });
    expect(texts(other)).to.include('Gelezen');
    expect(other.refresh).to.equal(undefined);
    expect(await db.getRepository(AuditEvent).countBy({ outcome: 'refused', target: 'card.status' })).to.equal(1);
    // A week after the last send the figures are final: the card stops asking.
    await db.query(`UPDATE outage_message SET finished_at = now() - interval '8 days' WHERE id = $1`, [messageId]);
    const final = await invoke('status', done.refresh!.action.data, { trigger: 'automatic' });
    expect(texts(final)).to.include('Gelezen');
    expect(final.refresh).to.equal(undefined);
  });

  it("refuses a card's refresh cleanly and audits it: a user of another tenant (not the notice), an id that is no notice, an actor id longer than the audit column", async () => {
    await startApp({ STAFF_AAD_OBJECT_IDS: 'staff-aad-1', MicrosoftAppTenantId: 'tenant-cbg' });
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    const messageId = status.actions!.find((a) => a.verb === 'resolve')!.data.messageId as string;
    const db = database.dataSource;
    const stranger = 'x'.repeat(80);
    const other = await invoke('status', { messageId }, { trigger: 'automatic', tenantId: 'tenant-elsewhere', aadObjectId: stranger });
    expect(texts(other)).to.include('Deze bot is alleen beschikbaar voor CBG Connect.').and.not.include('Ontvangers').and.not.include('KPN');
    const [audited] = await db.getRepository(AuditEvent).findBy({ outcome: 'refused', target: 'card.status' });
    expect(audited.actor).to.equal(`${'x'.repeat(63)}…`);
    // A notice id that does not exist, from someone of CBG Connect who is not staff: a Dutch line, no error.
    const unknown = await invoke('status', { messageId: '00000000-0000-4000-8000-000000000999' }, { trigger: 'automatic', aadObjectId: 'not-staff' });
    expect(texts(unknown)).to.include('Deze melding bestaat niet (meer).');
    expect(logLines().filter((line) => line.includes('"level":50'))).to.deep.equal([]);
  });

  it('lists the open outages with /storingen: their latest notice, figures and buttons; resolved ones leave the list', async () => {
    await startApp({});
    await post(teamsMessage(connector.url, '/storingen'));
    expect(texts(connector.cards().at(-1) as CardJson)).to.include('Geen open storingen');
    const preview = await invoke('preview', { kind: 'initial', ...valid, scope: 'landelijk', regions: '' });
    await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    await post(teamsMessage(connector.url, '/storingen'));
    const list = connector.cards().at(-1) as CardJson;
    expect(texts(list)).to.include('Open storingen (1)').and.include('KPN internet · Landelijk · Hoog').and.include('Ontvangers');
    const buttons = list.body.flatMap((e) => ((e.items as Record<string, unknown>[] | undefined) ?? []).flatMap((i) => (i.actions as CardAction[] | undefined) ?? []));
    expect(buttons.map((b) => b.verb)).to.deep.equal(['update', 'resolve']);
    // Opgelost from the list: the list stays (refreshed), the compose card comes below.
    const again = await invoke('resolve', buttons[1].data);
    expect(texts(again)).to.include('Open storingen (1)');
    const resolvedPreview = await invoke('preview', { kind: 'resolved', outageId: buttons[1].data.outageId, text: 'Alles werkt weer.' });
    await invoke('send', resolvedPreview.actions!.find((a) => a.verb === 'send')!.data);
    await post(teamsMessage(connector.url, '/storingen'));
    expect(texts(connector.cards().at(-1) as CardJson)).to.include('Geen open storingen');
  });

  it('asks a second staff member to approve when REQUIRE_APPROVAL=true; the author cannot', async () => {
    await startApp({ REQUIRE_APPROVAL: 'true' });
    const preview = await invoke('preview', { kind: 'initial', ...valid });
    const status = await invoke('send', preview.actions!.find((a) => a.verb === 'send')!.data);
    expect(texts(status)).to.include('Wacht op goedkeuring');
    const approve = status.actions!.find((a) => a.verb === 'approve')!;
    expect(texts(await invoke('approve', approve.data))).to.include('eigen melding niet goedkeuren');
    expect(await database.dataSource.getRepository(Delivery).count()).to.equal(0);
    expect(texts(await invoke('approve', approve.data, { aadObjectId: 'staff-aad-2' }))).to.include('Wordt verstuurd.');
    expect(await database.dataSource.getRepository(Delivery).count()).to.equal(1);
  });

  it('sends the stappenplan with /stappenplan and suggests close names for an unknown customer', async () => {
    await startApp({});
    await post(teamsMessage(connector.url, '/stappenplan anna@bakkerij.nl C-1'));
    await post(teamsMessage(connector.url, '/stappenplan anna@bakkerij.nl Utrechtse Bakerij'));
    const [ok, unknown] = connector.cards() as CardJson[];
    expect(JSON.stringify(ok)).to.include('Stappenplan verstuurd');
    expect(texts(unknown)).to.include('Utrechtse Bakerij').and.include('staat niet in het klantenbestand van CBG Connect. Bedoel je een van deze klanten?');
    // The suggestion is a button: one click sends it for that customer.
    const pick = unknown.actions!.find((a) => a.verb === 'invite')!;
    expect(pick.title).to.equal('Versturen voor Utrechtse Bakkerij (C-1)');
    expect(texts(await invoke('invite', pick.data))).to.include('Stappenplan verstuurd');
    const [{ n }]: { n: number }[] = await database.dataSource.query(`SELECT count(*)::int AS n FROM invitation WHERE email = 'anna@bakkerij.nl'`);
    expect(n).to.equal(2);
  });

  it("holds a stappenplan to an address outside the customer's e-mail domains until staff confirm it (audited) or pick the customer it belongs to", async () => {
    await startApp({});
    await database.dataSource.getRepository(Customer).save([
      { customerNumber: 'C-4001', name: 'Garage Jansen', emailDomains: ['garagejansen.nl'], regions: ['GE'] },
      { customerNumber: 'C-4002', name: 'Jansen Transport', emailDomains: ['jansentransport.nl'], regions: ['GE'] },
    ]);
    const invitations = async (email: string) => (await database.dataSource.query<{ customer_number: string }[]>(`SELECT c.customer_number FROM invitation i JOIN customer c ON c.id = i.customer_id WHERE i.email = $1`, [email])).map((r) => r.customer_number);

    // An address of the customer's own domain (a subdomain too) goes at once.
    await post(teamsMessage(connector.url, '/stappenplan kees@werkplaats.garagejansen.nl C-4001'));
    expect(JSON.stringify(connector.cards()[0])).to.include('Stappenplan verstuurd');

    // A private address is not sent: the card says why and asks.
    await post(teamsMessage(connector.url, '/stappenplan piet@gmail.com C-4001'));
    const held = connector.cards()[1] as CardJson;
    expect(texts(held)).to.include('piet@gmail.com hoort niet bij Garage Jansen (C-4001): in het klantenbestand staat voor deze klant het e-maildomein garagejansen.nl.');
    expect(await invitations('piet@gmail.com')).to.deep.equal([]);
    const confirm = held.actions!.find((a) => a.verb === 'invite')!;
    expect(confirm.data).to.deep.include({ email: 'piet@gmail.com', customer: 'C-4001', outsideDomains: true });
    expect(texts(await invoke('invite', confirm.data))).to.include('Stappenplan verstuurd');
    expect(await invitations('piet@gmail.com')).to.deep.equal(['C-4001']);
    const audited = await database.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'invitation.create_outside_domains' });
    expect(audited.detail).to.deep.equal({ domain: 'gmail.com' });

    // An address of another customer's domain: the card offers that customer.
    await post(teamsMessage(connector.url, '/stappenplan joop@jansentransport.nl C-4001'));
    const other = connector.cards()[2] as CardJson;
    const pick = other.actions!.find((a) => a.verb === 'invite' && a.data.customer === 'C-4002')!;
    expect(texts(await invoke('invite', pick.data))).to.include('voor Jansen Transport');
    expect(await invitations('joop@jansentransport.nl')).to.deep.equal(['C-4002']);
  });

  it('erases a subscriber on request after a confirmation step, audited (R15)', async () => {
    await startApp({});
    await post(teamsMessage(connector.url, '/abonnee 06 11111111'));
    expect(JSON.stringify(connector.cards()[0])).to.include('Ada');
    await post(teamsMessage(connector.url, '/verwijder 06 11111111'));
    const confirm = connector.cards()[1] as CardJson;
    const erase = confirm.actions!.find((a) => a.verb === 'erase')!;
    const done = await invoke('erase', { ...erase.data, reason: 'brief van 20 november' });
    expect(texts(done)).to.include('is verwijderd');
    expect(await database.dataSource.getRepository(Subscriber).countBy({ phone: '31611111111' })).to.equal(0);
    const actions = (await database.dataSource.getRepository(AuditEvent).find()).map((a) => a.action);
    expect(actions).to.include.members(['subscriber.export', 'subscriber.erase']);
  });

  it('answers a malformed activity with 400 and no stack trace', async () => {
    await startApp({});
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text": 1}' });
    expect(res.status).to.equal(400);
    expect(await res.text()).not.to.match(/\bat .*\.js/);
  });
});
