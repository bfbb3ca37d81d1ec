import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { sendWindowDutch } from '../../src/lib/send-window';

describe('the send window in the texts (from BUSINESS_HOURS)', () => {
  const windowOf = (value: string) => sendWindowDutch(loadConfig({ BUSINESS_HOURS: value }, { purpose: 'local' }).businessHours);

  it('says what BUSINESS_HOURS says, and reads sensibly for always', () => {
    expect(windowOf('mon-fri 08:30-17:00 Europe/Amsterdam')).to.equal('op werkdagen tussen 8:30 en 17:00 uur');
    expect(windowOf('always')).to.equal('op elk moment van de dag');
    expect(windowOf('mon-sun 07:00-22:30 Europe/Amsterdam')).to.equal('elke dag tussen 7:00 en 22:30 uur');
    expect(windowOf('mon-sat 09:00-18:00 Europe/Amsterdam')).to.equal('op maandag, dinsdag, woensdag, donderdag, vrijdag en zaterdag tussen 9:00 en 18:00 uur');
  });
});
