/** Whether Meta bills a message: counted from the pricing type, `billable` only where a status has none (channels/whatsapp/pricing.ts). */
import { expect } from 'chai';
import { isBilled } from '../../../src/channels/whatsapp/pricing';

describe("Meta's pricing block", () => {
  it('bills a regular message and no free one, whatever the deprecated billable flag says', () => {
    expect(isBilled({ pricing_model: 'PMP', category: 'utility', type: 'regular' })).to.equal(true);
    expect(isBilled({ billable: false, pricing_model: 'PMP', category: 'utility', type: 'regular' })).to.equal(true);
    expect(isBilled({ billable: true, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' })).to.equal(false);
    expect(isBilled({ pricing_model: 'PMP', category: 'utility', type: 'free_entry_point' })).to.equal(false);
  });

  it('falls back to billable for a status without a type, and knows nothing without either', () => {
    expect(isBilled({ billable: true, pricing_model: 'PMP', category: 'utility' })).to.equal(true);
    expect(isBilled({ billable: false, pricing_model: 'CBP', category: 'utility' })).to.equal(false);
    expect(isBilled({ pricing_model: 'PMP', category: 'utility', type: 'something_new' })).to.equal(null);
    expect(isBilled(undefined)).to.equal(null);
  });
});
