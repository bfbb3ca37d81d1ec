/**
 * R11 in the conversation: a plain opt-out erases at once (polite forms too), an unclear one is
 * asked about and only a JA within a day erases, a question about receiving gets a useful answer
 * and erases nobody. Each through the real webhook, with Meta's stand-in receiving the replies.
 */
import { expect } from 'chai';
import { Customer, Subscriber, SubscriberStatus } from '../../../src/entities';
import { createInvitation } from '../../../src/services/signup/invitations';
import { startBroadcast, statusCounts, until } from '../../helpers/broadcast';
import { startWhatsAppApp, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';
const HOUR = 3600_000;

describe('opting out in the conversation (R11)', function () {
  this.timeout(30_000);
  let t: WhatsAppTestApp;
  let phoneSeq = 31613000000;

  before(async () => {
    t = await startWhatsAppApp();
    await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-2002', name: 'Garage Van Dijk', regions: ['GE'] });
  });
  after(async () => t.close());

  const subscribed = async (phone: string) => (await t.database.dataSource.getRepository(Subscriber).countBy({ phone, status: SubscriberStatus.Active })) === 1;

  /** A subscriber signed up through the conversation; returns the number and when they finished. */
  async function signUp(at = new Date()): Promise<string> {
    const phone = String(++phoneSeq);
    const { invitation } = await createInvitation(t.database.dataSource, t.config, { email: `p${phoneSeq}@vandijk.nl`, customer: 'C-2002', createdBy: 'staff-1' });
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${invitation.code}`, { at }));
    await t.post(textWebhook(phone, 'Kees', { at }));
    await textsTo(t.graph, phone, 2);
    expect(await subscribed(phone)).to.equal(true);
    return phone;
  }

  it('erases at once on a polite or plain opt-out, with the confirmation', async () => {
    for (const text of ['Gelieve mij af te melden.', 'Verwijder mijn nummer uit de lijst', 'Haal mij van de verzendlijst af', 'Stop met sturen aub', 'Wilt u mij afmelden?']) {
      const phone = await signUp();
      await t.post(textWebhook(phone, text));
      const texts = await textsTo(t.graph, phone, 3);
      expect(texts[2], text).to.match(/^Je bent afgemeld voor de storingsmeldingen van CBG Connect/);
      expect(await t.database.dataSource.getRepository(Subscriber).countBy({ phone }), text).to.equal(0);
    }
  });

  it('erases nobody for a question or complaint that mentions stopping or not receiving', async () => {
    const phone = await signUp();
    for (const text of ['Ik krijg geen meldingen meer, klopt dat?', 'Ik wil weten of de monteur vandaag gaat stoppen', 'Is de storing gestopt? Wij ontvangen geen berichten meer van jullie.', 'Moet mijn collega zich ook afmelden?', 'Sinds vorige week niet meer ontvangen, graag controleren']) {
      await t.post(textWebhook(phone, text));
      expect(await subscribed(phone), text).to.equal(true);
    }
    await t.repliesSettled();
  });

  it('answers "krijg ik nog meldingen?" with the subscription and when the last notice went out', async () => {
    const phone = await signUp();
    await t.post(textWebhook(phone, 'krijg ik nog meldingen?'));
    const [, , none] = await textsTo(t.graph, phone, 3);
    expect(none).to.match(/^Je bent aangemeld voor de storingsmeldingen van CBG Connect voor Garage Van Dijk\. Sinds je aanmelding op \d+ \w+ \d{4} is er voor jouw gebied nog geen storing gemeld/);

    // A notice goes to them; the next day's question names it.
    const messageId = await startBroadcast(t.database.dataSource);
    await until(async () => ((await statusCounts(t.database.dataSource, messageId)).queued ?? 0) === 0, 10_000, 'the notice sent');
    expect((await textsTo(t.graph, phone, 4))[3]).to.equal('[template]');
    // Meta has it; the ledger records the send a moment later (outcomes are written in batches).
    await until(async () => (await t.database.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM delivery WHERE phone = $1 AND sent_at IS NOT NULL`, [phone]))[0].n === 1, 10_000, 'the send recorded');
    const asked = new Date(Date.now() + 25 * HOUR);
    await t.post(textWebhook(phone, 'Ik heb de update niet meer ontvangen', { at: asked }));
    const texts = await textsTo(t.graph, phone, 5);
    const answer = texts[4];
    expect(answer).to.match(/^Je bent aangemeld voor de storingsmeldingen van CBG Connect voor Garage Van Dijk\. De laatste melding ging naar je toe op \d+ \w+ \d{4} om \d\d:\d\d\./);
    expect(answer).to.include('support@cbgconnect.nl');
    process.stdout.write(`      | ${none}\n      | ${answer}\n`);
    expect(await subscribed(phone)).to.equal(true);
  });

  it('asks about an unclear wish to leave, and erases only on JA within a day', async () => {
    const phone = await signUp();
    await t.post(textWebhook(phone, 'hoe meld ik me af?'));
    const [, , asked] = await textsTo(t.graph, phone, 3);
    expect(asked).to.equal('Wil je je afmelden voor de storingsmeldingen van CBG Connect? Antwoord dan binnen 24 uur met JA. Dan verwijderen we je gegevens en krijg je geen meldingen meer. Wil je aangemeld blijven, dan hoef je niets te doen.');
    expect(await subscribed(phone)).to.equal(true);
    await t.post(textWebhook(phone, 'Ja graag'));
    const texts = await textsTo(t.graph, phone, 4);
    expect(texts[3]).to.match(/^Je bent afgemeld/);
    expect(await t.database.dataSource.getRepository(Subscriber).countBy({ phone })).to.equal(0);
  });

  it('lets the question lapse: a JA a day later, or after NEE, erases nobody', async () => {
    const late = await signUp();
    const asked = new Date();
    await t.post(textWebhook(late, 'ik werk hier niet meer', { at: asked }));
    await textsTo(t.graph, late, 3);
    await t.post(textWebhook(late, 'JA', { at: new Date(asked.getTime() + 25 * HOUR) }));
    await t.repliesSettled();
    expect(await subscribed(late), 'a JA after 24 hours').to.equal(true);

    const stays = await signUp();
    await t.post(textWebhook(stays, 'Kan ik me afmelden?'));
    await textsTo(t.graph, stays, 3);
    await t.post(textWebhook(stays, 'Nee'));
    const texts = await textsTo(t.graph, stays, 4);
    expect(texts[3]).to.equal('Prima, je blijft aangemeld voor de storingsmeldingen van CBG Connect.');
    await t.post(textWebhook(stays, 'ja'));
    await t.repliesSettled();
    expect(await subscribed(stays), 'a JA after NEE').to.equal(true);

    // A JA nobody asked for is not an opt-out either.
    const unasked = await signUp();
    await t.post(textWebhook(unasked, 'Ja'));
    await t.repliesSettled();
    expect(await subscribed(unasked)).to.equal(true);
  });
});
