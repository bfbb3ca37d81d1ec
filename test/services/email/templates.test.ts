/** The AVG texts say in plain Dutch every kind of data that is stored (R5, R8), the WhatsApp user id included. */
import { expect } from 'chai';
import { avgOptInMail, avgOptOutMail, stappenplanMail } from '../../../src/services/email/templates';

describe('what the AVG texts say is stored', () => {
  const privacy = { firstName: 'Anna', companyName: 'Bakkerij De Korenschoof', supportEmail: 'support@cbgconnect.nl', retentionMonths: 6 };

  it('the stappenplan, the sign-up mail and the opt-out mail name the first name, the company, the number and the WhatsApp user id', () => {
    const stappenplan = stappenplanMail({ code: 'K7P2-QX', companyName: privacy.companyName, whatsappNumber: '085 48 69 699', supportEmail: privacy.supportEmail, expiresOn: '7 januari 2027' }).text;
    const signUp = avgOptInMail({ ...privacy, sendWindow: 'op werkdagen tussen 8:30 en 17:00 uur' }).text;
    const optOut = avgOptOutMail({ ...privacy, erasedOnRequest: false }).text;
    for (const [name, text] of Object.entries({ stappenplan, signUp, optOut })) {
      expect(text, name).to.include('voornaam');
      expect(text, name).to.match(/mobiele (telefoon)?nummer/);
      expect(text, name).to.include('WhatsApp-gebruikers-ID');
    }
    expect(stappenplan).to.include('je bedrijfsnaam');
    expect(signUp).to.include('je bedrijfsnaam');
  });
});
