import { expect } from 'chai';
import { allCards } from '../../scripts/card-catalog';

// The package's main entry is ESM without extensions and fails in Node; this bundle works.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

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
});
