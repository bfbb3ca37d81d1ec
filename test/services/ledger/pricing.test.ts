/**
 * What Meta bills (docs/platform.md A3): the pricing block of each status is kept on its
 * delivery, billable notices and the conversation's service messages are counted per month,
 * and the tab's figures (per notice, per month, with an estimate from the configured rate
 * card prices) come from them.
 */
import { expect } from 'chai';
import { IsNull, Not } from 'typeorm';
import { systemClock } from '../../../src/lib/clock';
import { Customer, Delivery } from '../../../src/entities';
import { createInvitation } from '../../../src/services/signup/invitations';
import { loadStats, whatsappFigures } from '../../../src/services/stats/stats';
import { seedSubscribers, startBroadcast } from '../../helpers/broadcast';
import { waitFor } from '../../helpers/wait';
import { startWhatsAppApp, statusWebhook, textWebhook, textsTo, type WhatsAppTestApp } from '../../helpers/whatsapp';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';
const thisMonth = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' }).slice(0, 7);

describe('what Meta bills (pricing)', () => {
  let t: WhatsAppTestApp;

  before(async () => {
    t = await startWhatsAppApp({ WHATSAPP_PRICE_UTILITY_EUR: '0,0456', WHATSAPP_PRICE_SERVICE_EUR: '0.01' });
    await t.database.dataSource.getRepository(Customer).save({ customerNumber: 'C-4004', name: 'Drukkerij Pers', regions: ['ZH'] });
  });
  after(async () => t.close());

  const counted = async (kind: string): Promise<number> => {
    const rows: { count: number }[] = await t.database.dataSource.query(`SELECT count FROM message_count WHERE kind = $1 AND to_char(month, 'YYYY-MM') = $2`, [kind, thisMonth()]);
    return rows[0]?.count ?? 0;
  };

  it("keeps each delivery's pricing from its statuses, counts a billable notice once (not per status), and shows it per notice", async () => {
    const db = t.database.dataSource;
    await seedSubscribers(db, 3, 31695000000);
    const messageId = await startBroadcast(db);
    const sent = await waitFor(async () => {
      const rows = await db.getRepository(Delivery).findBy({ outageMessageId: messageId });
      return rows.every((d) => d.waMessageId) ? rows : undefined;
    }, { what: 'the three notices sent' });
    // Meta reports sent, delivered and read, each with the same pricing block.
    for (const status of ['sent', 'delivered', 'read'] as const) {
      for (const d of sent) expect((await t.post(statusWebhook(d.waMessageId!, status, new Date(), d.phone!))).status).to.equal(200);
    }
    await waitFor(async () => (await db.getRepository(Delivery).countBy({ outageMessageId: messageId, readAt: Not(IsNull()) })) === 3 && (await counted('notice')) === 3, { what: 'the statuses applied' });
    const rows = await db.getRepository(Delivery).findBy({ outageMessageId: messageId });
    expect(rows.map((d) => [d.billable, d.pricingCategory, d.pricingModel])).to.deep.equal([[true, 'utility', 'PMP'], [true, 'utility', 'PMP'], [true, 'utility', 'PMP']]);
    expect(await counted('notice'), 'three messages billed, not nine statuses').to.equal(3);
    const notice = (await loadStats(db)).outages.find((o) => o.id === messageId);
    expect(notice).to.include({ billable: 3, billedAs: 'utility' });
  });

  it('counts the replies of the conversation as service messages by kind, and estimates the month from the rate card prices', async () => {
    const phone = '31695000777';
    await t.post(textWebhook(phone, 'Hallo?'));
    const { invitation } = await createInvitation(t.database.dataSource, t.config, { email: 'lars@pers.nl', customer: 'C-4004', createdBy: 'staff-1' });
    await t.post(textWebhook(phone, `${SENTENCE} Code: ${invitation.code}`));
    await t.post(textWebhook(phone, 'Lars'));
    // The welcome must be out before the opt-out: an erasure drops the person's queued replies.
    await textsTo(t.graph, phone, 3);
    await t.post(textWebhook(phone, 'afmelden'));
    await textsTo(t.graph, phone, 4);
    await t.repliesSettled();
    await waitFor(async () => (await counted('opt_out')) === 1, { what: 'the opt-out confirmation counted' });
    expect({ oneWay: await counted('one_way'), signUp: await counted('sign_up'), optOut: await counted('opt_out') }).to.deep.equal({ oneWay: 1, signUp: 2, optOut: 1 });

    const { bill } = await whatsappFigures(t.database.dataSource, t.config, systemClock);
    expect(bill.prices).to.deep.equal({ utility: 0.0456, service: 0.01 });
    // 3 notices x 0.0456 + 4 service messages x 0.01 = 0.1768.
    expect(bill.months[0]).to.deep.equal({ month: thisMonth(), notices: 3, serviceMessages: { signUp: 2, optOut: 1, oneWay: 1 }, estimateEur: 0.18 });
  });
});
