/**
 * The WhatsApp number subscribers save and write to, as Meta displays it. It is read from Meta
 * (the look-up at start and hourly records it in whatsapp_state), not configured; local mode's
 * stand-in answers LOCAL_DISPLAY_NUMBER.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { numberStateKey, WhatsAppState } from '../../entities';
import { ValidationError } from '../../http/errors';
import { LOCAL_DISPLAY_NUMBER } from '../../lib/local-whatsapp-number';

/** The number as Meta last displayed it; undefined until a look-up has recorded it. */
export async function knownDisplayNumber(db: DataSource | EntityManager, config: Config): Promise<string | undefined> {
  const row = await db.getRepository(WhatsAppState).findOne({ where: { subject: 'number', key: numberStateKey(config.whatsapp.phoneNumberId) }, select: { displayNumber: true } });
  return row?.displayNumber ?? undefined;
}

/** The number the stappenplan names; refused in Dutch while it is not known. */
export async function subscriberNumber(manager: EntityManager, config: Config): Promise<string> {
  const number = (await knownDisplayNumber(manager, config)) ?? (config.whatsapp.localMode ? LOCAL_DISPLAY_NUMBER : undefined);
  if (number === undefined) {
    throw new ValidationError(
      'the display number of the WhatsApp number is not known yet (no look-up of the number has succeeded)',
      'Het WhatsApp-nummer voor het stappenplan is nog niet bekend: de koppeling met Meta heeft het nog niet opgehaald. Probeer het over een paar minuten opnieuw; blijft dit zo, laat dan npm run doctor uitvoeren.',
    );
  }
  return number;
}
