/**
 * WhatsApp usernames (docs/platform.md A3): a user who adopted a username may reach us by a
 * business-scoped user id (BSUID) alone. The fixtures are Meta's documented payload shapes,
 * each naming its source in "_source".
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Customer, Delivery, DeliveryStatus, Subscriber, SubscriberStatus } from '../../../src/entities';
import { createInvitation } from '../../../src/services/signup/invitations';
import { inboundWebhook } from '../../../src/local/webhook-payloads';
import { startBroadcast } from '../../helpers/broadcast';
import { loadStats } from '../../../src/services/stats/stats';
import { findEverywhere } from '../../helpers/scan';
import { waitFor } from '../../helpers/wait';
import { messageIdHash } from '../../../src/lib/message-id-hash';
import { PHONE_NUMBER_ID, startWhatsAppApp, textWebhook, textsTo, wamid, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';
const KERRY = 'NL.13491208655302741918';
const TEST_NUMBER = { phoneNumberId: PHONE_NUMBER_ID, displayNumber: '31854869699', businessAccountId: '102290129340398' };

type Json = Record<string, unknown> & { entry: { changes: { value: Record<string, unknown[]> }[] }[] };
const fixture = (name: string): Json => JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/whatsapp', name), 'utf8')) as Json;
const valueOf = (body: Json) => body.entry[0].changes[0].value;

/** Meta's username payload (no from, no wa_id) with another text and a fresh id and time. */
function kerrySays(text: string): Json {
  const body = fixture('username-text.json');
  const [message] = valueOf(body).messages as Record<string, unknown>[];
  Object.assign(message, { id: wamid(), timestamp: String(Math.floor(Date.now() / 1000)), text: { body: text } });
  return body;
}

describe('WhatsApp usernames (business-scoped user ids)', () => {
  let t: WhatsAppTestApp;

  before(async () => {
    t = await startWhatsAppApp();
    await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-3003', name: 'Fietsenmakerij Snel', regions: ['NH'] });
  });
  after(async () => t.close());

  async function invite(email: string): Promise<string> {
    return (await createInvitation(t.database.dataSource, t.config, { email, customer: 'C-3003', createdBy: 'staff-1' })).invitation.code;
  }

  /** One person signs up twice, by number and by username, before Meta links the two: two rows. */
  async function signUpTwice(phone: string, userId: string, email: string, firstName: string): Promise<void> {
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${await invite(email)}`));
    await t.post(textWebhook(phone, firstName));
    await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: `${SENTENCE} Code: ${await invite(email)}` } }, { id: wamid() }));
    await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: firstName } }, { id: wamid() }));
    await t.repliesSettled();
  }

  it('a username user without a number signs up, gets a notice at the BSUID, its status counts, and opting out leaves nothing', async () => {
    const db = t.database.dataSource;
    const code = await invite('kerry@fietsenmakerij.nl');
    expect((await t.post(kerrySays(`${SENTENCE} Code: ${code}`))).status).to.equal(200);
    const [askName] = await textsTo(t.graph, KERRY, 1);
    expect(askName).to.match(/Wat is je voornaam/);
    // Sent as Meta documents for a BSUID: in `recipient`, without `to`.
    const reply = t.graph.messagesTo(KERRY)[0] as unknown as Record<string, unknown>;
    expect(reply).to.include({ recipient: KERRY }).and.not.have.property('to');

    await t.post(kerrySays('Kerry'));
    expect((await textsTo(t.graph, KERRY, 2))[1]).to.match(/^Welkom Kerry!/);
    const subscriber = await db.getRepository(Subscriber).findOneByOrFail({ userId: KERRY });
    expect(subscriber).to.include({ phone: null, status: SubscriberStatus.Active, firstName: 'Kerry' });

    // A notice goes to the BSUID; Meta's status for it carries only recipient_user_id.
    const messageId = await startBroadcast(db);
    const template = await waitFor(() => t.graph.requests.find((r) => 'type' in r.body && r.body.type === 'template' && 'recipient' in r.body && r.body.recipient === KERRY && r.answeredId), { what: 'the notice sent to the BSUID' });
    const status = fixture('username-status-delivered.json');
    // Meta echoes the send's biz_opaque_callback_data: the status may outrun the send's own record.
    const opaque = (template.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data;
    Object.assign((valueOf(status).statuses as Record<string, unknown>[])[0], { id: template.answeredId, timestamp: String(Math.floor(Date.now() / 1000)), biz_opaque_callback_data: opaque });
    expect((await t.post(status)).status).to.equal(200);
    await waitFor(async () => (await db.getRepository(Delivery).findOneByOrFail({ outageMessageId: messageId })).status === DeliveryStatus.Delivered, { what: 'the delivery marked delivered' });

    expect((await findEverywhere(db, KERRY)).hits).to.have.members(['delivery.user_id', 'subscriber.user_id']);
    await t.post(kerrySays('afmelden'));
    expect((await textsTo(t.graph, KERRY, 4))[3]).to.match(/Je bent afgemeld/);
    // The confirmation's outbox row goes once Meta's answer is recorded, a moment after Meta has the message.
    await t.repliesSettled();
    const { scanned, hits } = await findEverywhere(db, KERRY);
    expect(scanned).to.include.members(['subscriber.user_id', 'delivery.user_id', 'audit_event.target']);
    expect(hits, 'after the opt-out no table holds the BSUID').to.deep.equal([]);
    expect(await db.getRepository(Subscriber).countBy({ userId: KERRY })).to.equal(0);
  });

  it('applies a batch mixing a number user and a username user whole: both are answered, where Meta says to send', async () => {
    const batch = fixture('mixed-batch.json');
    expect((await t.post(batch)).status).to.equal(200);
    // Strangers without a code get the one-way reply: to the number when known, else the BSUID.
    const [toNumber] = await textsTo(t.graph, '31687650001', 1);
    const [toUsername] = await textsTo(t.graph, 'NL.66120938475521093817', 1);
    expect(toNumber).to.match(/verstuurt alleen storingsmeldingen/);
    expect(toUsername).to.equal(toNumber);
    const [{ n }]: { n: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM inbound_message WHERE wa_message_id = ANY($1)`, [(valueOf(batch).messages as { id: string }[]).map((m) => messageIdHash(t.config.pseudonymKeys.current.secret, m.id))]);
    expect(n, 'both messages handled').to.equal(2);
  });

  it('a subscriber known by number learns the BSUID from a later webhook, is then found by the BSUID alone, and erasure removes both', async () => {
    const db = t.database.dataSource;
    const phone = '31687650077';
    const userId = 'NL.50050050050050050077';
    const code = await invite('sanne@fietsenmakerij.nl');
    // Signed up with the payload of before usernames: the number only.
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${code}`));
    await t.post(textWebhook(phone, 'Sanne'));
    await textsTo(t.graph, phone, 2);
    expect(await db.getRepository(Subscriber).findOneByOrFail({ phone })).to.include({ userId: null });

    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: 'Hallo' } }, { id: wamid() }));
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).findOneByOrFail({ phone })).to.include({ userId });

    // The number is now kept from us: the BSUID alone finds the subscriber.
    await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: 'afmelden' } }, { id: wamid() }));
    expect((await textsTo(t.graph, userId, 1))[0]).to.match(/Je bent afgemeld/);
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).countBy({ phone })).to.equal(0);
    expect((await findEverywhere(db, phone)).hits).to.deep.equal([]);
    expect((await findEverywhere(db, userId)).hits).to.deep.equal([]);
  });

  it('erases both rows of a person who signed up under each identity before Meta linked them, at one opt-out', async () => {
    const db = t.database.dataSource;
    const phone = '31687650099';
    const userId = 'NL.70070070070070070099';
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${await invite('twee@fietsenmakerij.nl')}`));
    await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: `${SENTENCE} Code: ${await invite('rijen@fietsenmakerij.nl')}` } }, { id: wamid() }));
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).countBy([{ phone }, { userId }])).to.equal(2);
    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: 'afmelden' } }, { id: wamid() }));
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).countBy([{ phone }, { userId }])).to.equal(0);
  });

  it('makes one subscriber of a person\'s two rows once a message names both: a notice reaches them once, the tab counts one', async () => {
    const db = t.database.dataSource;
    const phone = '31687650111';
    const userId = 'NL.70070070070070070111';
    await signUpTwice(phone, userId, 'een@fietsenmakerij.nl', 'Lotte');
    expect(await db.getRepository(Subscriber).countBy([{ phone }, { userId }]), 'two rows before Meta links them').to.equal(2);
    const activeBefore = (await loadStats(db)).subscribers.active;

    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: 'Bedankt!' } }, { id: wamid() }));
    await t.repliesSettled();
    const rows = await db.getRepository(Subscriber).findBy([{ phone }, { userId }]);
    expect(rows.map((r) => ({ phone: r.phone, userId: r.userId, firstName: r.firstName, status: r.status }))).to.deep.equal([{ phone, userId, firstName: 'Lotte', status: SubscriberStatus.Active }]);
    const messageId = await startBroadcast(db);
    const deliveries = await db.getRepository(Delivery).findBy({ outageMessageId: messageId, subscriberId: rows[0].id });
    expect(deliveries, 'one delivery for the person').to.have.length(1);
    expect((await loadStats(db)).subscribers.active, 'the tab counts the person once').to.equal(activeBefore - 1);
  });

  it("follows a user who changed number (Meta's user_changed_number): queued notices go to the new number, and a message from it finds them", async () => {
    const db = t.database.dataSource;
    const body = fixture('system-user-changed-number.json');
    await t.post(textWebhook('31687650201', `${SENTENCE} Code: ${await invite('noor@fietsenmakerij.nl')}`));
    await t.post(textWebhook('31687650201', 'Noor'));
    await t.repliesSettled();
    await db.query(`UPDATE subscriber SET user_id = 'NL.20202020202020202021' WHERE phone = '31687650201'`);
    // A notice queued to the old number, held while the number changes: Meta refuses the number
    // for a moment (131048), which pauses the notice and hands its rows back to the queue.
    t.graph.decide = () => ({ status: 400, error: { code: 131048, message: 'Spam rate limit hit' } });
    const messageId = await startBroadcast(db);
    await waitFor(async () => (await db.query<{ status: string }[]>('SELECT status::text FROM outage_message WHERE id = $1', [messageId]))[0].status === 'paused', { what: 'the notice paused' });
    await waitFor(async () => (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status = 'sending'`, [messageId]))[0].n === 0, { what: 'no send in flight' });
    t.graph.decide = undefined;
    // Someone who had the new number before (Meta hands numbers on), still in the list.
    const noor = await db.getRepository(Subscriber).findOneByOrFail({ phone: '31687650201' });
    await db.getRepository(Subscriber).save({ phone: '31687650202', firstName: 'Vorige', customerId: noor.customerId, status: SubscriberStatus.Active });

    expect((await t.post(body)).status).to.equal(200);
    const after = await db.getRepository(Subscriber).findOneByOrFail({ firstName: 'Noor' });
    expect(after).to.include({ phone: '31687650202', userId: 'NL.20202020202020202022', status: SubscriberStatus.Active });
    const queued = await db.getRepository(Delivery).findOneByOrFail({ outageMessageId: messageId, subscriberId: after.id });
    expect({ phone: queued.phone, userId: queued.userId, status: queued.status }).to.deep.equal({ phone: '31687650202', userId: 'NL.20202020202020202022', status: DeliveryStatus.Queued });
    // The new number's earlier holder (a number handed on) lost it with the change, and left: it had no other identity.
    expect(await db.getRepository(Subscriber).countBy({ firstName: 'Vorige' })).to.equal(0);
    // A redelivery changes nothing; the new number is a subscriber, not a stranger.
    expect((await t.post(body)).status).to.equal(200);
    await t.post(textWebhook('31687650202', 'Ja ik wil storingsberichten van CBG Connect ontvangen.'));
    expect((await textsTo(t.graph, '31687650202', 1))[0]).to.match(/^Je bent al aangemeld/);
    expect(await db.getRepository(Subscriber).countBy({ phone: '31687650201' })).to.equal(0);
  });

  it("forgets a merged person's duplicate delivery with the merge: after a change of number and an opt-out, no table holds the old user id or number", async () => {
    const db = t.database.dataSource;
    const phone = '31687650301';
    const userId = 'NL.40404040404040404041';
    await signUpTwice(phone, userId, 'sem@fietsenmakerij.nl', 'Sem');
    // Both rows get the notice (Meta had not linked them yet), then a message names both: one person.
    const messageId = await startBroadcast(db);
    await waitFor(async () => (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM delivery WHERE outage_message_id = $1 AND status IN ('queued', 'sending')`, [messageId]))[0].n === 0, { what: 'the notice sent' });
    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: 'Dank je' } }, { id: wamid() }));
    await t.repliesSettled();
    const changed = fixture('system-user-changed-number.json') as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    const system = changed.entry[0].changes[0].value.messages[0];
    Object.assign(system, { from: phone, id: wamid(), timestamp: String(Math.floor(Date.now() / 1000)) });
    Object.assign(system.system as Record<string, unknown>, { wa_id: '31687650302', user_id: 'NL.40404040404040404042', previous_user_id: userId });
    expect((await t.post(changed)).status).to.equal(200);
    await t.post(textWebhook('31687650302', 'afmelden'));
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).countBy({ firstName: 'Sem' })).to.equal(0);
    expect((await findEverywhere(db, userId)).hits, 'the old user id').to.deep.equal([]);
    expect((await findEverywhere(db, phone)).hits, 'the old number').to.deep.equal([]);
    // The notice still counts both sends.
    expect(await db.getRepository(Delivery).countBy({ outageMessageId: messageId, status: DeliveryStatus.Sent })).to.be.greaterThan(0);
  });

  it("follows a user whose BSUID changed (Meta's user_changed_user_id): the subscriber is found and reached under the new id", async () => {
    const db = t.database.dataSource;
    const old = 'NL.30303030303030303031';
    const fresh = 'NL.30303030303030303032';
    await t.post(inboundWebhook(TEST_NUMBER, { userId: old }, { type: 'text', text: { body: `${SENTENCE} Code: ${await invite('robin@fietsenmakerij.nl')}` } }, { id: wamid() }));
    await t.post(inboundWebhook(TEST_NUMBER, { userId: old }, { type: 'text', text: { body: 'Robin' } }, { id: wamid() }));
    await t.repliesSettled();
    // Robin's number is known too (learned from an earlier webhook): a new BSUID leaves it as it is.
    await db.query(`UPDATE subscriber SET phone = '31687650301' WHERE user_id = $1`, [old]);
    expect((await t.post(fixture('system-user-changed-user-id.json'))).status).to.equal(200);
    expect(await db.getRepository(Subscriber).findOneByOrFail({ firstName: 'Robin' })).to.include({ userId: fresh, phone: '31687650301', status: SubscriberStatus.Active });
    await t.post(inboundWebhook(TEST_NUMBER, { userId: fresh }, { type: 'text', text: { body: 'afmelden' } }, { id: wamid() }));
    expect((await textsTo(t.graph, fresh, 1))[0]).to.match(/^Je bent afgemeld/);
    expect(await db.getRepository(Subscriber).countBy([{ userId: old }, { userId: fresh }])).to.equal(0);
  });

  it('sends one AVG opt-out mail when both rows of the person carry the same address', async () => {
    const db = t.database.dataSource;
    const phone = '31687650077';
    const userId = 'NL.70070070070070070077';
    const email = 'zelfde@fietsenmakerij.nl';
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${await invite(email)}`));
    await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: `${SENTENCE} Code: ${await invite(email)}` } }, { id: wamid() }));
    await t.repliesSettled();
    expect(await db.getRepository(Subscriber).countBy([{ phone }, { userId }])).to.equal(2);
    await db.query(`UPDATE subscriber SET first_name = 'Sam', status = 'active' WHERE phone = $1 OR user_id = $2`, [phone, userId]);
    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: 'afmelden' } }, { id: wamid() }));
    await t.repliesSettled();
    const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM email_notice WHERE kind = 'avg_opt_out' AND recipient = $1`, [email]);
    expect(n, 'one mail to the address, not one per row').to.equal(1);
  });

  it('counts wrong codes on whichever identity a message carries, and on both when it carries both', async () => {
    const phone = '31687650088';
    const userId = 'NL.60060060060060060088';
    // Three wrong codes with both identities, then two with the BSUID only: five in all.
    for (let i = 0; i < 3; i++) await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: `${SENTENCE} Code: XXXX-X${i}` } }, { id: wamid() }));
    for (let i = 0; i < 2; i++) await t.post(inboundWebhook(TEST_NUMBER, { userId }, { type: 'text', text: { body: `${SENTENCE} Code: XXXX-Y${i}` } }, { id: wamid() }));
    expect(await textsTo(t.graph, phone, 3)).to.have.length(3);
    expect((await textsTo(t.graph, userId, 2))[1]).to.match(/te veel onjuiste codes/);
    // A valid code now does not help, whichever identities the message carries.
    const code = await invite('bas@fietsenmakerij.nl');
    await t.post(inboundWebhook(TEST_NUMBER, { phone, userId }, { type: 'text', text: { body: `${SENTENCE} Code: ${code}` } }, { id: wamid() }));
    await t.repliesSettled();
    expect(await t.database.dataSource.getRepository(Subscriber).countBy({ userId })).to.equal(0);
    expect(t.graph.messagesTo(phone)).to.have.length(3);
  });

  it('skips only the message that names nobody (neither from nor from_user_id); the rest of its batch is applied', async () => {
    const batch = fixture('mixed-batch.json');
    const messages = valueOf(batch).messages as Record<string, unknown>[];
    messages.forEach((m) => (m.id = wamid()));
    delete messages[1].from_user_id;
    expect((await t.post(batch)).status).to.equal(200);
    const [{ n }]: { n: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM inbound_message WHERE wa_message_id = ANY($1)`, [messages.map((m) => messageIdHash(t.config.pseudonymKeys.current.secret, m.id as string))]);
    expect(n).to.equal(1);
  });
});
