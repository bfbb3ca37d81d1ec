import { expect } from 'chai';
import { Customer, Delivery, DeliveryStatus, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, Subscriber, SubscriptionEvent, SubscriptionEventKind } from '../../../src/entities';
import { createInvitation } from '../../../src/services/signup/invitations';
import { snapshotAudience } from '../../../src/services/ledger/delivery-ledger';
import { findEverywhere } from '../../helpers/scan';
import { startWhatsAppApp, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';

describe('WhatsApp opt-out (R11)', () => {
  let t: WhatsAppTestApp;
  let customerId: string;
  let seq = 31613000000;
  /** Addresses must not contain the number's digits, or the scan below would find them there. */
  const tag = () => (seq % 1000).toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);

  before(async () => {
    t = await startWhatsAppApp();
    customerId = (await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-2002', name: 'Installatiebedrijf Visser', regions: ['GE'] })).id;
  });
  after(async () => t.close());

  /** Where the number is stored (a scan that cannot find it there proves nothing when it later finds nothing). */
  async function placesHolding(value: string): Promise<string[]> {
    const { scanned, hits } = await findEverywhere(t.database.dataSource, value);
    expect(scanned, 'the scan covers the tables that hold numbers and addresses').to.include.members(['subscriber.phone', 'subscriber.email', 'delivery.phone', 'email_notice.recipient', 'contact_throttle.phone_hash', 'audit_event.target']);
    return hits;
  }

  const optOuts = () => t.database.dataSource.getRepository(SubscriptionEvent).countBy({ kind: SubscriptionEventKind.OptOut, customerId });

  async function signUp(phone: string, email: string, firstName: string | null): Promise<void> {
    const { invitation } = await createInvitation(t.database.dataSource, t.config, { email, customer: 'C-2002', createdBy: 'staff-1' });
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${invitation.code}`));
    await textsTo(t.graph, phone, 1);
    if (firstName) {
      await t.post(textWebhook(phone, firstName));
      await textsTo(t.graph, phone, 2);
    }
    // Meta has a reply a moment before its outbox row goes: the scans below look after that.
    await t.repliesSettled();
  }

  async function queuedNotice(): Promise<OutageMessage> {
    const db = t.database.dataSource;
    const outage = await db.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 'staff-1' });
    const message = await db.getRepository(OutageMessage).save({
      outageId: outage.id,
      kind: OutageMessageKind.Initial,
      text: 'Storing',
      templateParameters: ['Storing', 'internet', 'Landelijk', 'Hoog', 'Storing'],
      // Held, so no dispatcher picks it up during the test.
      status: OutageMessageStatus.Held,
      createdBy: 'staff-1',
    });
    await db.transaction((manager) => snapshotAudience(manager, message.id, { regions: null }));
    return message;
  }

  for (const word of ['afmelden', 'Uitschrijven', 'STOP', 'stoppen', 'Ik wil me graag afmelden voor de meldingen.', 'Graag geen berichten meer']) {
    it(`an active subscriber saying "${word}" is removed at once, with a confirmation and the archived AVG e-mail`, async () => {
      const phone = String(++seq);
      const email = `eva.${tag()}@visser.nl`;
      await signUp(phone, email, 'Eva');
      const message = await queuedNotice();
      const db = t.database.dataSource;
      // Before: the number is in the subscriber and the notice's delivery, the address with the subscriber and its opt-in mail.
      expect(await placesHolding(phone)).to.deep.equal(['delivery.phone', 'subscriber.phone']);
      expect(await placesHolding(email)).to.deep.equal(['email_notice.recipient', 'subscriber.email']);
      const optOutsBefore = await optOuts();

      const res = await t.post(textWebhook(phone, word));
      expect(res.status).to.equal(200);
      const texts = await textsTo(t.graph, phone, 3);
      expect(texts[2]).to.match(/Je bent afgemeld/);
      await t.repliesSettled();

      expect(await db.getRepository(Subscriber).findOneBy({ phone })).to.equal(null);
      const deliveries = await db.getRepository(Delivery).findBy({ outageMessageId: message.id });
      expect(deliveries.every((d) => d.phone !== phone)).to.equal(true);
      expect(deliveries.filter((d) => d.subscriberId === null && d.phone === null).map((d) => d.status)).to.include(DeliveryStatus.Cancelled);

      // The number is in no table; the name and address only in the e-mail archive.
      expect(await placesHolding(phone)).to.deep.equal([]);
      expect(await placesHolding(email)).to.deep.equal(['email_notice.recipient']);
      expect(await placesHolding('Beste Eva,')).to.deep.equal(['email_notice.html_body', 'email_notice.text_body']);

      const mail = await t.smtp.waitForMail((m) => m.envelopeTo.includes(email) && /afmelding/.test(m.parsed.subject ?? ''));
      expect(mail.envelopeTo).to.include('archief@crm.cbgconnect.nl');
      // Exactly one anonymous opt-out event for this sign-off.
      expect(await optOuts()).to.equal(optOutsBefore + 1);
    });
  }

  it('removes a sign-up that is waiting for the first name', async () => {
    const phone = String(++seq);
    await signUp(phone, `frank.${tag()}@visser.nl`, null);
    expect(await placesHolding(phone)).to.deep.equal(['subscriber.phone']);
    await t.post(textWebhook(phone, 'afmelden'));
    expect((await textsTo(t.graph, phone, 2))[1]).to.match(/Je bent afgemeld/);
    await t.repliesSettled();
    expect(await placesHolding(phone)).to.deep.equal([]);
  });

  it('answers a number that is not signed up without storing it', async () => {
    const phone = String(++seq);
    await t.post(textWebhook(phone, 'stop'));
    expect((await textsTo(t.graph, phone, 1))[0]).to.match(/niet aangemeld/);
    await t.repliesSettled();
    expect(await placesHolding(phone)).to.deep.equal([]);
  });

  it('does not take a question that mentions stopping for an opt-out', async () => {
    const phone = String(++seq);
    await signUp(phone, `gert.${tag()}@visser.nl`, 'Gert');
    await t.post(textWebhook(phone, 'Wanneer stopt de storing in Arnhem eigenlijk? Wij merken er nog veel van'));
    expect((await textsTo(t.graph, phone, 3))[2]).to.match(/verstuurt alleen storingsmeldingen/);
    expect(await t.database.dataSource.getRepository(Subscriber).findOneBy({ phone })).to.not.equal(null);
  });
});
