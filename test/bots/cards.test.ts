import { expect } from 'chai';
import { keepsCounting, statusCard, whatsappBlocks } from '../../src/bots/cards';
import { allCards, NOTICE_TEXT } from '../../scripts/card-catalog';

/** The figures' moment for status cards built here. */
const AS_OF = '2026-12-07T10:00:00.000Z';

// The package's main entry is ESM without extensions and fails in Node; this bundle works.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS only; import() of it has no types either
const AC = require('adaptivecards/dist/adaptivecards.js') as {
  SerializationContext: new () => { eventCount: number; getEventAt(index: number): { message: string } };
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void };
};

describe('adaptive cards', () => {
  for (const [name, card] of Object.entries(allCards())) {
    it(`${name} parses as Adaptive Card 1.5 without warnings`, () => {
      const context = new AC.SerializationContext();
      const parsed = new AC.AdaptiveCard();
      parsed.parse(card, context);
      const events = Array.from({ length: context.eventCount }, (_v, i) => context.getEventAt(i).message);
      expect(events).to.deep.equal([]);
      expect(card.version).to.equal('1.5');
      expect(JSON.stringify(card).length).to.be.lessThan(28_000);
    });
  }

  it('uses Action.Execute with data.verb on every action', () => {
    for (const card of Object.values(allCards())) {
      for (const action of (card.actions as { type: string; verb: string; data: { verb: string } }[] | undefined) ?? []) {
        expect(action.type).to.equal('Action.Execute');
        expect(action.data.verb).to.equal(action.verb);
      }
    }
  });

  it('shows in red why a notice cannot be sent, and then offers no Versturen', () => {
    const card = allCards().previewBlocked as { body: { text?: string; color?: string }[]; actions: { verb: string }[] };
    expect(card.body.find((b) => b.color === 'Attention')?.text).to.equal('⛔ Het WhatsApp-sjabloon is gepauzeerd.');
    expect(card.actions.map((a) => a.verb)).to.deep.equal(['edit', 'cancel']);
    expect((allCards().preview as { actions: { verb: string }[] }).actions.map((a) => a.verb)).to.deep.equal(['send', 'edit', 'cancel']);
  });

  describe('the WhatsApp text on a card', () => {
    it('keeps every line of the template on a line of its own, a blank line as space, *bold* as bold', () => {
      expect(whatsappBlocks(NOTICE_TEXT).map((b) => [b.text, b.spacing])).to.deep.equal([
        ['**Storing** KPN internet', 'Default'],
        ['Gebied: Utrecht', 'None'],
        ['Impact: Hoog', 'None'],
        ['Geen internet in de regio. _Monteurs_ zijn onderweg.', 'Medium'],
        ['CBG Connect. Afmelden? Stuur "afmelden".', 'Medium'],
      ]);
    });

    it("shows how many messages Meta billed and as what, once Meta said so", () => {
      const facts = (billable: number) => {
        const progress = { total: 4, queued: 0, sending: 0, sent: 1, delivered: 3, read: 0, failed: 0, cancelled: 0, billable, billedAs: billable ? 'utility' : null };
        const card = statusCard({ outageId: 'o', messageId: 'm', kind: 'initial', status: 'done', statusText: 'Verstuurd.', text: 't', progress, outageOpen: true, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false });
        return (card.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')!.facts!;
      };
      expect(facts(3)).to.deep.include({ title: 'Gefactureerd door Meta', value: '3 (utility)' });
      expect(facts(0).map((f) => f.title)).to.not.include('Gefactureerd door Meta');
    });

    it('asks Teams for fresh figures only once the notice is out, for a week', () => {
      const progress = { total: 1, queued: 0, sending: 0, sent: 1, delivered: 0, read: 0, failed: 0, cancelled: 0, billable: 0, billedAs: null };
      const base = { outageId: 'o', messageId: 'm', kind: 'initial', statusText: 'x', text: 't', progress, outageOpen: true, asOf: AS_OF, failures: [], retryable: 0, retried: false };
      const hoursAgo = (h: number) => new Date(Date.parse(AS_OF) - h * 3600_000).toISOString();
      expect(keepsCounting({ ...base, status: 'sending', finishedAt: null }), 'the bot rewrites a card while it is sent').to.equal(false);
      expect(keepsCounting({ ...base, status: 'done', finishedAt: hoursAgo(1) })).to.equal(true);
      expect(keepsCounting({ ...base, status: 'done', finishedAt: hoursAgo(24 * 7 + 1) })).to.equal(false);
      expect(keepsCounting({ ...base, status: 'cancelled', finishedAt: null })).to.equal(false);
    });

    it('says why recipients failed, with masked numbers only in a personal chat, and offers the retry while it can', () => {
      const progress = { total: 5, queued: 0, sending: 0, sent: 2, delivered: 0, read: 0, failed: 3, cancelled: 0, billable: 0, billedAs: null };
      const failures = [
        { reason: 'Niet bereikbaar op WhatsApp', count: 2, canPass: true, masked: ['+31 6 ****1111', '+31 6 ****2222'] },
        { reason: 'De ontvanger heeft berichten van bedrijven uitgezet', count: 1, canPass: false, masked: ['+31 6 ****3333'] },
      ];
      const status = { outageId: 'o', messageId: 'm', kind: 'initial', status: 'done', statusText: 'Verstuurd.', text: 't', progress, outageOpen: false, finishedAt: null, asOf: AS_OF, failures, retryable: 2, retried: false };
      const reasons = (card: Record<string, unknown>) => JSON.stringify((card.body as { type: string; facts?: unknown[] }[]).filter((b) => b.type === 'FactSet')[1]);
      const verbs = (card: Record<string, unknown>) => ((card.actions ?? []) as { verb: string }[]).map((a) => a.verb);
      const inChannel = statusCard(status, { personal: false });
      expect(reasons(inChannel)).to.include('Niet bereikbaar op WhatsApp').and.include('"title":"2"').and.not.include('****');
      expect(reasons(statusCard(status, { personal: true }))).to.include('Niet bereikbaar op WhatsApp: +31 6 ****1111, +31 6 ****2222');
      expect(verbs(inChannel)).to.deep.equal(['retry', 'status']);
      // Vernieuwen always: Teams refreshes a card by itself only while it is on screen.
      expect(verbs(statusCard({ ...status, retryable: 0, retried: true }))).to.deep.equal(['status']);
      expect(JSON.stringify(statusCard({ ...status, retryable: 0, retried: true }))).to.include('al een keer opnieuw geprobeerd');
    });

    it('shows the status card text line by line too (it ran together on one line before)', () => {
      const progress = { total: 1, queued: 0, sending: 0, sent: 1, delivered: 0, read: 0, failed: 0, cancelled: 0, billable: 1, billedAs: 'utility' };
      const card = statusCard({ outageId: 'o', messageId: 'm', kind: 'initial', status: 'done', statusText: 'Verstuurd.', text: NOTICE_TEXT, progress, outageOpen: true, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false });
      const lines = (card.body as { type: string; text?: string; isSubtle?: boolean }[]).filter((b) => b.isSubtle).map((b) => b.text);
      // The lines as a subscriber sees them, written out: not derived from the code that builds the card.
      expect(lines).to.deep.equal(['**Storing** KPN internet', 'Gebied: Utrecht', 'Impact: Hoog', 'Geen internet in de regio. _Monteurs_ zijn onderweg.', 'CBG Connect. Afmelden? Stuur "afmelden".']);
    });
  });
});
