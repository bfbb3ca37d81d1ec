/** Numbers as Dutch staff type them (lib/phone-number.ts), read the same way wherever a number is typed. */
import { expect } from 'chai';
import { readPhoneNumber } from '../../src/lib/phone-number';

const MOBILE = '31612345678';

describe('phone numbers as people type them', () => {
  const same: string[] = [
    '0612345678',
    '06-12345678',
    '06 12345678',
    '06 1234 5678',
    '06-1234 5678',
    '06.12.34.56.78',
    '06 12 34 56 78',
    '(06) 12345678',
    '+31612345678',
    '+31 6 12345678',
    '+31 6 1234 5678',
    '+31 6 12 34 56 78',
    '+31 (0)6 1234 5678',
    '+31(0)612345678',
    '+31 (0) 6 12345678',
    '+31 06 12345678',
    '+31-6-12345678',
    '0031 6 12345678',
    '0031612345678',
    '0031 (0)6 1234 5678',
    '31612345678',
    '6 12345678',
    '612345678',
    '  06 1234 5678  ',
  ];
  for (const typed of same) {
    it(`reads "${typed}" as ${MOBILE}`, () => expect(readPhoneNumber(typed)).to.equal(MOBILE));
  }

  it('reads Dutch landlines and numbers of other countries given with their prefix', () => {
    expect(readPhoneNumber('085 486 9699')).to.equal('31854869699');
    expect(readPhoneNumber('+32 470 12 34 56')).to.equal('32470123456');
    expect(readPhoneNumber('0049 151 23456789')).to.equal('4915123456789');
  });

  it('refuses what cannot be a number, so staff get an error instead of "niets opgeslagen"', () => {
    for (const typed of ['hallo', '', '06 1234 567', '06 1234 56789', '+31 6 1234 56789', '+31 6 1234 567', '12345', 'C-4001', 'anna@example.nl', '06-1234-567a']) {
      expect(readPhoneNumber(typed), typed).to.equal(null);
    }
  });
});
