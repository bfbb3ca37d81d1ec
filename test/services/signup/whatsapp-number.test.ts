import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { Customer, EmailNotice, Invitation } from '../../../src/entities';
import { recordNumber } from '../../../src/services/notices/whatsapp-account';
import { createInvitation } from '../../../src/services/signup/invitations';
import { freshDataSource } from '../../helpers/postgres';

describe("the stappenplan's WhatsApp number", () => {
  let db: DataSource;
  const config = loadConfig({ WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922', WHATSAPP_APP_SECRET: 'secret', WHATSAPP_VERIFY_TOKEN: 'verify' }, { purpose: 'tool' });

  before(async () => {
    db = await freshDataSource();
    await db.getRepository(Customer).save({ customerNumber: 'C-7007', name: 'Drukkerij Het Anker', regions: ['ZH'] });
  });
  after(async () => db.destroy());

  it('is the number as Meta displays it; until a look-up has recorded it, an invitation is refused in Dutch and nothing is stored', async () => {
    const invite = () => createInvitation(db, config, { email: 'inkoop@hetanker.nl', customer: 'C-7007', createdBy: 'staff-1' });
    let refusal: unknown;
    await invite().catch((error: unknown) => (refusal = error));
    expect((refusal as { dutch?: string }).dutch).to.match(/^Het WhatsApp-nummer voor het stappenplan is nog niet bekend/);
    expect(await db.getRepository(Invitation).count()).to.equal(0);
    expect(await db.getRepository(EmailNotice).count()).to.equal(0);

    await recordNumber(db, config, { displayNumber: '+31 85 486 9699' });
    await invite();
    const [mail] = await db.getRepository(EmailNotice).find();
    expect(JSON.stringify(mail)).to.include('+31 85 486 9699');
  });
});
