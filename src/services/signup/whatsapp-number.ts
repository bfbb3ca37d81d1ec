/**
 * The WhatsApp number subscribers save and write to, as Meta displays it. It is read from Meta
 * (the hourly look-up records it in whatsapp_state under the phone number id), not configured;
 * local mode's stand-in answers LOCAL_DISPLAY_NUMBER.
 */
import type { Config } from '../../config';
import { WhatsAppState } from '../../entities';
import type { EntityManager } from 'typeorm';
import { ValidationError } from '../../http/errors';
import { LOCAL_DISPLAY_NUMBER } from '../../lib/local-whatsapp-number';

export async function subscriberNumber(manager: EntityManager, config: Config): Promise<string> {
  const row = await manager.getRepository(WhatsAppState).findOne({ where: { subject: 'number', key: config.whatsapp.phoneNumberId }, select: { displayNumber: true } });
  const number = row?.displayNumber ?? (config.whatsapp.localMode ? LOCAL_DISPLAY_NUMBER : undefined);
  if (number === undefined) {
    throw new ValidationError(
      'the display number of the WhatsApp number is not known yet (no look-up of the number has succeeded)',
      'Het WhatsApp-nummer voor het stappenplan is nog niet bekend: de koppeling met Meta heeft het nog niet opgehaald. Probeer het over een paar minuten opnieuw; blijft dit zo, laat dan npm run doctor uitvoeren.',
    );
  }
  return number;
}
