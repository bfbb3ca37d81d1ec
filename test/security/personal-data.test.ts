/**
 * Personal data stays in personal chats: /abonnee, /verwijder and the erasure card answer in a
 * team or group chat with one line pointing to the personal chat and show nothing else (once
 * a channel got a subscriber's full export); card action data carries an opaque id, never a
 * phone number.
 */
import { expect } from 'chai';
import type { App } from '../../src/app';
import type { Database } from '../../src/db/database';
import { Customer, Subscriber, SubscriberStatus } from '../../src/entities';
import { BotConnectorStandIn, cardAction, teamsMessage } from '../helpers/bot-connector';
import { startService } from '../helpers/service';

const NUMBER = '31611111111';

describe('security: personal data only in personal chats', function () {
  this.timeout(30_000);
  let connector: BotConnectorStandIn;
  let database: Database;
  let app: App;
  let base: string;
  let subscriberId: string;

  before(async () => {
    connector = new BotConnectorStandIn();
    await connector.start();
    ({ app, database, base } = await startService({ BUSINESS_HOURS: 'always' }));
    const customer = await database.dataSource.getRepository(Customer).save({ customerNumber: 'C-1', name: 'Utrechtse Bakkerij', regions: ['UT'] });
    const subscriber = await database.dataSource.getRepository(Subscriber).save({ phone: NUMBER, firstName: 'Wilhelmina', email: 'wilhelmina@bakkerij.nl', customerId: customer.id, status: SubscriberStatus.Active });
    subscriberId = subscriber.id;
  });

  after(async () => {
    await app.close();
    await database.close();
    await connector.stop();
  });

  async function post(activity: unknown): Promise<string> {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
    return res.text();
  }

  for (const conversationType of ['channel', 'groupChat'] as const) {
    it(`answers /abonnee and /verwijder in a ${conversationType} with the pointer to the personal chat only`, async () => {
      const before = connector.calls.length;
      await post(teamsMessage(connector.url, '/abonnee 06 11111111', { conversationType }));
      await post(teamsMessage(connector.url, '/verwijder 06 11111111', { conversationType }));
      const answers = JSON.stringify(connector.calls.slice(before).map((c) => c.body));
      expect(answers.match(/Alleen in je persoonlijke chat/g)).to.have.length(2);
      for (const personal of ['11111111', 'Wilhelmina', 'wilhelmina@bakkerij.nl', subscriberId]) expect(answers).not.to.include(personal);
    });

    it(`refuses the erasure action in a ${conversationType}, erasing nothing`, async () => {
      const answer = await post(cardAction(connector.url, 'erase', { subscriberId, masked: '+31 6 ****1111', reason: 'brief' }, { conversationType }));
      expect(answer).to.include('Alleen in je persoonlijke chat');
      expect(await database.dataSource.getRepository(Subscriber).countBy({ id: subscriberId })).to.equal(1);
    });
  }

  it('shows the export in the personal chat, and its erasure card carries an opaque id, no number', async () => {
    const before = connector.calls.length;
    await post(teamsMessage(connector.url, '/abonnee 06 11111111'));
    expect(JSON.stringify(connector.calls[before].body)).to.include('Wilhelmina');
    await post(teamsMessage(connector.url, '/verwijder 06 11111111'));
    const card = JSON.stringify(connector.cards().at(-1));
    const data = JSON.stringify((JSON.parse(card) as { actions: { data?: unknown }[] }).actions.map((a) => a.data));
    expect(data).to.include(subscriberId);
    // No run of digits as long as a number, outside the id itself (a uuid may hold 8 digits in a row).
    expect(data.split(subscriberId).join('')).not.to.match(/\d{8,}/);
    expect(card).not.to.include(NUMBER);
  });

  it('refuses card data with a phone number where an id belongs', async () => {
    const answer = await post(cardAction(connector.url, 'erase', { subscriberId: NUMBER, reason: 'brief' }));
    expect(answer).to.include('onverwachte gegevens (subscriberId)');
    expect(await database.dataSource.getRepository(Subscriber).countBy({ id: subscriberId })).to.equal(1);
  });
});
