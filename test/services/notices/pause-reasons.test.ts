/** Why a notice is paused, for staff and for the doctor (services/notices/pause-reasons.ts). */
import { expect } from 'chai';
import { pauseExplanation, pauseForDoctor } from '../../../src/services/notices/pause-reasons';

describe('pause reasons', () => {
  it("131048 speaks of the number's quality rating and what to do, not of the token or the account", () => {
    const text = pauseExplanation({ scope: 'number', code: 131048 });
    expect(text).to.match(/^Gepauzeerd \(WhatsApp-foutcode 131048\); niemand is als mislukt gemarkeerd\./);
    expect(text).to.include('kwaliteitsbeoordeling');
    expect(text).to.include('Kies Hervatten als de beoordeling weer groen of geel is');
    expect(text).to.not.match(/toegangssleutel|WHATSAPP_ACCESS_TOKEN|account/);
    expect(pauseForDoctor({ scope: 'number', code: 131048 }, 2)).to.deep.equal({
      detail: "2 notice(s) paused: Meta's spam rate limit for the sending number (its quality rating dropped) (error 131048); nobody was marked failed",
      fix: "check the number's quality rating in WhatsApp Manager (Phone numbers, Quality) and why recipients block or report; press Hervatten on the status card once it is green or yellow again (usually hours to a day)",
    });
  });

  it('a notice paused on the generic 100 says that nothing of it went out and where to read why', () => {
    expect(pauseExplanation({ scope: 'notice', code: 100 })).to.include('WhatsApp noemt het verzoek ongeldig (foutcode 100) en er is nog niets van deze melding verstuurd.');
  });

  it('other codes keep the text of their scope', () => {
    expect(pauseExplanation({ scope: 'account', code: 190 })).to.include('controleer in Meta Business Suite de toegangssleutel (WHATSAPP_ACCESS_TOKEN)');
    expect(pauseExplanation({ scope: 'number', code: 133010 })).to.include('WhatsApp weigert het verzendnummer.');
    // 100 that names the number (subcode 33) pauses every notice: the number's text, not the one-notice text.
    expect(pauseExplanation({ scope: 'number', code: 100 })).to.include('WhatsApp weigert het verzendnummer.');
  });
});
