/**
 * No personal data left behind (docs/privacy.md): every table filled the way the service fills
 * it (sign-up, a notice with Meta's statuses, the AVG mails, an invitation that expired unused,
 * a staff member's Teams reference), then the opt-out and, once the data is old enough,
 * retention. Every text column of every table is then searched for the number (as digits and
 * as it appears base64-encoded inside Meta's message ids), the first name and the e-mail
 * addresses. Only the AVG archive's record may keep the address (R8, R11).
 */
import { expect } from 'chai';
import { Customer, Delivery, DeliveryStatus, OutageMessage } from '../../../src/entities';
import { forgetOldRecipients } from '../../../src/services/ledger/delivery-ledger';
import { forgetOldMessages, purgeStaleContacts } from '../../../src/services/privacy/retention';
import { createInvitation } from '../../../src/services/signup/invitations';
import { startBroadcast } from '../../helpers/broadcast';
import { findEverywhere, textColumns } from '../../helpers/scan';
import { waitFor } from '../../helpers/wait';
import { APP_SECRET, startWhatsAppApp, statusWebhook, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';
const PHONE = '31687651234';
const FIRST_NAME = 'Wilhelmina';
const EMAIL = 'wilhelmina@hoveniersbedrijf.nl';
const UNUSED_EMAIL = 'nooitgebruikt@hoveniersbedrijf.nl';
const STAFF_NAME = 'Jozefien Staffmedewerker';

/** A message id as Meta makes them: the number, base64-encoded, inside (Meta's own sample decodes to its number). */
let sequence = 0;
const metaId = () => `wamid.HBgL${Buffer.from(PHONE).toString('base64').replace(/=+$/, '')}FQIAEhgU${(++sequence).toString(16).padStart(20, 'A')}AA==`;
/** base64 of the number as found inside such an id (the last, partial quantum left out). */
const NUMBER_IN_IDS = Buffer.from(PHONE).toString('base64').slice(0, 12);

describe('no personal data left behind (erasure and retention)', function () {
  this.timeout(60_000);
  let t: WhatsAppTestApp;

  before(async () => {
    t = await startWhatsAppApp();
    await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-5005', name: 'Hoveniersbedrijf Groen', regions: ['NB'] });
  });
  after(async () => t.close());

  it('leaves neither the number (raw or inside message ids), nor the first name, nor an address outside the AVG archive', async () => {
    const db = t.database.dataSource;
    // Sign-up, with Meta's kind of message ids.
    const { invitation } = await createInvitation(db, t.config, { email: EMAIL, customer: 'C-5005', createdBy: 'staff-1' });
    await t.post(textWebhook(PHONE, `${SENTENCE} Code: ${invitation.code}`, { id: metaId() }));
    await textsTo(t.graph, PHONE, 1);
    await t.post(textWebhook(PHONE, FIRST_NAME, { id: metaId() }));
    await textsTo(t.graph, PHONE, 2);
    // An invitation that was never used, and expired.
    const unused = await createInvitation(db, t.config, { email: UNUSED_EMAIL, customer: 'C-5005', createdBy: 'staff-1' });
    await db.query(`UPDATE invitation SET expires_at = now() - interval '1 day' WHERE id = $1`, [unused.invitation.id]);

    // A notice, sent from a staff member's Teams chat, and its statuses under Meta's kind of id.
    const messageId = await startBroadcast(db);
    await db.query(`UPDATE outage_message SET conversation_reference = $2 WHERE id = $1`, [messageId, { user: { id: '29:staff', name: STAFF_NAME, aadObjectId: '00000000-0000-4000-8000-000000000001' }, conversation: { id: 'a:1' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' }]);
    const delivery = await waitFor(async () => {
      const row = await db.getRepository(Delivery).findOneByOrFail({ outageMessageId: messageId });
      return row.waMessageId ? row : undefined;
    }, { what: 'the notice sent' });
    const noticeId = metaId();
    await db.query('UPDATE delivery SET wa_message_id = $2 WHERE id = $1', [delivery.id, noticeId]);
    await t.post(statusWebhook(noticeId, 'delivered', new Date(), PHONE));
    await waitFor(async () => (await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id })).status === DeliveryStatus.Delivered, { what: 'delivered' });

    // Before: the number is where it is needed, and inside the message ids nowhere but the delivery.
    expect((await findEverywhere(db, PHONE)).hits).to.have.members(['delivery.phone', 'subscriber.phone']);
    expect((await findEverywhere(db, NUMBER_IN_IDS)).hits, 'inbound ids are kept as keyed hashes from the start').to.deep.equal(['delivery.wa_message_id']);

    // The opt-out.
    await t.post(textWebhook(PHONE, 'afmelden', { id: metaId() }));
    await textsTo(t.graph, PHONE, 3);
    await t.repliesSettled();
    await waitFor(async () => (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM email_notice WHERE status <> 'sent'`))[0].n === 0, { what: 'the AVG mails sent' });

    // Time passes beyond the retention period; the retention tasks run.
    await db.query(`UPDATE email_notice SET sent_at = now() - interval '40 days', created_at = now() - interval '40 days'`);
    await db.query(`UPDATE delivery SET created_at = now() - interval '200 days'`);
    await db.query(`UPDATE outage_message SET created_at = now() - interval '200 days', released_at = now() - interval '200 days'`);
    await forgetOldRecipients(db, t.config.retentionDays, APP_SECRET);
    await forgetOldMessages(db, t.config.retentionDays);
    await purgeStaleContacts(db);

    // A late status of the forgotten delivery still counts: it is found by the keyed hash.
    await t.post(statusWebhook(noticeId, 'read', new Date(), PHONE));
    await waitFor(async () => (await db.getRepository(Delivery).findOneByOrFail({ id: delivery.id })).status === DeliveryStatus.Read, { what: 'the late read receipt applied' });

    const scanned = await textColumns(db);
    expect(scanned).to.include.members(['subscriber.phone', 'subscriber.user_id', 'delivery.phone', 'delivery.user_id', 'delivery.wa_message_id', 'inbound_message.wa_message_id', 'reply_outbox.address', 'reply_outbox.text', 'email_notice.text_body', 'email_notice.last_error', 'invitation.email', 'outage_message.conversation_reference', 'contact_throttle.phone_hash', 'audit_event.target']);
    const found: Record<string, string[]> = {};
    for (const [what, needle] of Object.entries({ number: PHONE, 'number in message ids': NUMBER_IN_IDS, 'first name': FIRST_NAME, 'e-mail': EMAIL, 'unused invitation e-mail': UNUSED_EMAIL, 'staff name': STAFF_NAME })) {
      found[what] = (await findEverywhere(db, needle)).hits;
    }
    expect(found).to.deep.equal({
      number: [],
      'number in message ids': [],
      'first name': [],
      // The AVG archive's record of the two AVG mails (R8, R11): the address, the subject and the sha256; no body any more.
      // (The stappenplan mails' addresses are masked once their code has expired.)
      'e-mail': ['email_notice.recipient'],
      'unused invitation e-mail': [],
      'staff name': [],
    });
    const archive: { kind: string; text_body: string }[] = await db.query('SELECT kind::text, text_body FROM email_notice WHERE recipient = $1 ORDER BY kind', [EMAIL]);
    expect(archive).to.deep.equal([{ kind: 'avg_opt_in', text_body: '' }, { kind: 'avg_opt_out', text_body: '' }]);
    expect((await db.getRepository(OutageMessage).findOneByOrFail({ id: messageId })).conversationReference).to.deep.include({ conversation: { id: 'a:1' } });
  });
});
