import { expect } from 'chai';
import { Customer, EmailNotice, EmailStatus, Invitation, Subscriber, SubscriberStatus, SubscriptionEvent, SubscriptionEventKind } from '../../../src/entities';
import { createInvitation } from '../../../src/services/signup/invitations';
import { findEverywhere } from '../../helpers/scan';
import { waitFor } from '../../helpers/wait';
import { CRM_BCC, imageWebhook, startWhatsAppApp, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';

describe('WhatsApp sign-up conversation', () => {
  let t: WhatsAppTestApp;
  let phoneSeq = 31612000000;
  const nextPhone = () => String(++phoneSeq);

  async function invite(email = `contact${phoneSeq}@korenschoof.nl`): Promise<string> {
    const { invitation } = await createInvitation(t.database.dataSource, t.config, { email, customer: 'C-1001', createdBy: 'staff-1' });
    return invitation.code;
  }

  async function subscriber(phone: string): Promise<Subscriber | null> {
    return t.database.dataSource.getRepository(Subscriber).findOneBy({ phone });
  }

  before(async () => {
    t = await startWhatsAppApp();
    await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-1001', name: 'Bakkerij De Korenschoof', regions: ['UT'] });
  });
  after(async () => t.close());

  it('R2: e-mails a stappenplan whose opt-in sentence carries the personal code on one copyable line', async () => {
    const before = t.smtp.received.length;
    const code = await invite('anna@korenschoof.nl');
    await t.app.context.email.flushSoon();
    const mails = await t.smtp.waitFor(before + 1);
    const mail = mails[before].parsed;
    expect(mail.subject).to.match(/Stappenplan/);
    const line = `${SENTENCE} Code: ${code}`;
    expect((mail.text ?? '').split('\n').map((l) => l.trim())).to.include(line);
    expect(mail.html).to.include(line);
    expect(mail.text).to.include('+31 85 486 9699');
    expect(code).to.match(/^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{2}$/);
  });

  it('R4, R6, R7, R8: opt-in with typos, then the first name, makes an active subscriber, confirms on WhatsApp and sends the archived AVG e-mail', async () => {
    const phone = nextPhone();
    const code = await invite('bram@korenschoof.nl');
    const res = await t.post(textWebhook(phone, `ja, ik wil storingsberichten  van cbg conect ontvangen!! code: ${code.toLowerCase().replace('-', '')}`));
    expect(res.status).to.equal(200);
    const [askName] = await textsTo(t.graph, phone, 1);
    expect(askName).to.match(/Wat is je voornaam/);
    expect(askName).to.include('Bakkerij De Korenschoof');
    // R6: not active yet, so no notices.
    expect((await subscriber(phone))?.status).to.equal(SubscriberStatus.PendingName);

    await t.post(textWebhook(phone, 'bram'));
    const texts = await textsTo(t.graph, phone, 2);
    expect(texts[1]).to.match(/^Welkom Bram! Je aanmelding is compleet/);
    expect(texts[1]).to.include('Bakkerij De Korenschoof');
    expect(texts[1]).to.include('"afmelden"');
    // BUSINESS_HOURS is "always" here: the texts say so, not the default working hours.
    expect(texts[1]).to.include('op elk moment van de dag').and.not.include('werkdagen');
    const row = await subscriber(phone);
    expect(row).to.include({ status: SubscriberStatus.Active, firstName: 'Bram', email: 'bram@korenschoof.nl' });

    // R8: the AVG notice goes out, BCC to the CRM in the envelope only, and is archived.
    const received = await t.smtp.waitForMail((m) => m.envelopeTo.includes('bram@korenschoof.nl') && /je aanmelding/.test(m.parsed.subject ?? ''));
    expect(received.envelopeTo).to.have.members(['bram@korenschoof.nl', CRM_BCC]);
    expect(received.parsed.headers.has('bcc')).to.equal(false);
    expect(received.parsed.text).to.include('voornaam, je bedrijfsnaam, je mobiele telefoonnummer');
    expect(received.parsed.text).to.include('op het KPN-netwerk, op elk moment van de dag.');
    // The SMTP server has the mail a moment before the sender records it as sent.
    const archived = await waitFor(async () => {
      const row = await t.database.dataSource.getRepository(EmailNotice).findOneByOrFail({ kind: 'avg_opt_in' as never, recipient: 'bram@korenschoof.nl' });
      return row.status === EmailStatus.Sent ? row : undefined;
    }, { what: 'the AVG mail recorded as sent' });
    expect(archived.bcc).to.equal(CRM_BCC);
    expect(archived.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(archived.status).to.equal('sent');
    expect(archived.smtpMessageId).to.be.a('string').and.not.equal('');
    expect(archived.textBody).to.equal(received.parsed.text);
    // The invitation is spent and no longer holds the address.
    const invitation = await t.database.dataSource.getRepository(Invitation).findOneByOrFail({ code });
    expect(invitation).to.include({ status: 'used', email: null });
  });

  it('R4: accepts the sentence first and the code in the next message', async () => {
    const phone = nextPhone();
    const code = await invite();
    await t.post(textWebhook(phone, SENTENCE));
    expect((await textsTo(t.graph, phone, 1))[0]).to.match(/persoonlijke code uit het stappenplan/);
    await t.post(textWebhook(phone, code));
    expect((await textsTo(t.graph, phone, 2))[1]).to.match(/Wat is je voornaam/);
  });

  it('R2: a code works once, and not after it expired', async () => {
    const first = nextPhone();
    const second = nextPhone();
    const code = await invite();
    await t.post(textWebhook(first, `${SENTENCE} Code: ${code}`));
    await textsTo(t.graph, first, 1);
    await t.post(textWebhook(second, `${SENTENCE} Code: ${code}`));
    expect((await textsTo(t.graph, second, 1))[0]).to.match(/kennen we niet, of hij is verlopen of al gebruikt/);
    expect(await subscriber(second)).to.equal(null);

    const expired = await invite();
    await t.database.dataSource.query(`UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE code = $1`, [expired]);
    const third = nextPhone();
    await t.post(textWebhook(third, `${SENTENCE} Code: ${expired}`));
    expect((await textsTo(t.graph, third, 1))[0]).to.match(/verlopen/);
    expect(await subscriber(third)).to.equal(null);
  });

  it('R2, R5: without a code nobody gets in, and wrong codes are limited per number', async () => {
    const phone = nextPhone();
    for (let i = 0; i < 7; i++) await t.post(textWebhook(phone, `${SENTENCE} Code: AAAA-A${i}`));
    const texts = await textsTo(t.graph, phone, 5);
    expect(texts.slice(0, 4).every((x) => /kennen we niet/.test(x))).to.equal(true);
    expect(texts[4]).to.match(/te veel onjuiste codes/);
    // The 6th and 7th attempt got no answer at all.
    await t.repliesSettled();
    expect(t.graph.messagesTo(phone)).to.have.length(5);
    // Even a valid code is refused once the limit is reached (the webhook answers only after handling the message).
    const code = await invite();
    expect((await t.post(textWebhook(phone, `${SENTENCE} Code: ${code}`))).status).to.equal(200);
    expect(await subscriber(phone)).to.equal(null);
    const [{ open }]: { open: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS open FROM invitation WHERE code = $1 AND status = 'open'`, [code]);
    expect(open, 'the invitation is still unused').to.equal(1);
    await t.repliesSettled();
    expect(t.graph.messagesTo(phone)).to.have.length(5);
    // The counters are keyed by a hash; the number itself is stored nowhere.
    const [{ n }]: { n: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM contact_throttle WHERE phone_hash LIKE '%' || $1 || '%'`, [phone]);
    expect(n).to.equal(0);
  });

  it('R1: only invitations of registry customers exist (unknown customer refused, with a suggestion)', async () => {
    try {
      await createInvitation(t.database.dataSource, t.config, { email: 'x@y.nl', customer: 'Bakkerij De Korenschof', createdBy: 'staff-1' });
      expect.fail('expected a refusal');
    } catch (error) {
      expect((error as { dutch: string }).dutch).to.match(/staat niet in het klantenbestand.*Bedoel je: Bakkerij De Korenschoof \(C-1001\)/);
    }
  });

  it('tells an active subscriber that they are already signed up', async () => {
    const phone = nextPhone();
    const code = await invite();
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${code}`));
    await t.post(textWebhook(phone, 'Carla'));
    await textsTo(t.graph, phone, 2);
    await t.post(textWebhook(phone, SENTENCE));
    expect((await textsTo(t.graph, phone, 3))[2]).to.match(/al aangemeld/);
  });

  it('R10: any other message, text or not, gets one polite reply per 24 hours', async () => {
    const phone = nextPhone();
    const start = new Date();
    await t.post(textWebhook(phone, 'Hallo, wij hebben geen internet!', { at: start }));
    await t.post(imageWebhook(phone, { at: new Date(start.getTime() + 60_000) }));
    await t.post(textWebhook(phone, 'Hallo?', { at: new Date(start.getTime() + 3600_000) }));
    const [only] = await textsTo(t.graph, phone, 1);
    expect(only).to.match(/verstuurt alleen storingsmeldingen/);
    expect(only).to.include('support@cbgconnect.nl');
    await t.repliesSettled();
    expect(t.graph.messagesTo(phone)).to.have.length(1);
    await t.post(textWebhook(phone, 'Nog steeds niets', { at: new Date(start.getTime() + 25 * 3600_000) }));
    expect(await textsTo(t.graph, phone, 2)).to.have.length(2);
  });

  it('R5: stores no message contents', async () => {
    const phone = nextPhone();
    await t.post(textWebhook(phone, 'Geheime tekst 8472 over onze storing'));
    await textsTo(t.graph, phone, 1);
    await t.repliesSettled();
    const { scanned, hits } = await findEverywhere(t.database.dataSource, 'Geheime tekst 8472');
    // The scan sees where a message could end up: sign-up state, e-mails, the audit trail.
    expect(scanned).to.include.members(['inbound_message.wa_message_id', 'contact_throttle.phone_hash', 'email_notice.text_body', 'audit_event.target']);
    expect(hits).to.deep.equal([]);
  });

  it('handles 50 concurrent webhooks for the same number into one consistent state', async () => {
    const phone = nextPhone();
    const code = await invite();
    const customer = await t.database.dataSource.getRepository(Customer).findOneByOrFail({ customerNumber: 'C-1001' });
    const optIns = () => t.database.dataSource.getRepository(SubscriptionEvent).countBy({ kind: SubscriptionEventKind.OptIn, customerId: customer.id });
    const optInsBefore = await optIns();
    const bodies = Array.from({ length: 50 }, (_v, i) => (i % 2 === 0 ? textWebhook(phone, `${SENTENCE} Code: ${code}`) : textWebhook(phone, 'Dirk')));
    const answers = await Promise.all(bodies.map((b) => t.post(b)));
    expect(answers.every((a) => a.status === 200)).to.equal(true);
    const rows = await t.database.dataSource.getRepository(Subscriber).findBy({ phone });
    expect(rows).to.have.length(1);
    expect([SubscriberStatus.PendingName, SubscriberStatus.Active]).to.include(rows[0].status);
    expect(rows[0].customerId).to.equal(customer.id);
    // Which message won the race decides whether the name came in already: activated once, or not yet.
    expect(await optIns()).to.equal(optInsBefore + (rows[0].status === SubscriberStatus.Active ? 1 : 0));
    // Either way one more name completes the sign-up, and there is exactly one opt-in in all.
    await t.post(textWebhook(phone, 'Dirk'));
    expect(await subscriber(phone)).to.include({ status: SubscriberStatus.Active, firstName: 'Dirk' });
    expect(await optIns()).to.equal(optInsBefore + 1);
    const [{ used }]: { used: number }[] = await t.database.dataSource.query(`SELECT count(*)::int AS used FROM invitation WHERE code = $1 AND status = 'used'`, [code]);
    expect(used).to.equal(1);
  });
});
