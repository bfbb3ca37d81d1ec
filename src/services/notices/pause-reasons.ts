/**
 * Why a notice is paused, in Dutch for staff (the status card) and in English for the doctor:
 * what Meta refused and what to do before *Hervatten*. Nobody was marked failed for it.
 */
import type { PauseReason } from './notice-state';

const DUTCH: Record<PauseReason['scope'], string> = {
  account:
    'WhatsApp weigert het account of de toegangssleutel. Team Techniek: controleer in Meta Business Suite de toegangssleutel (WHATSAPP_ACCESS_TOKEN), de rechten van de app en de betaalgegevens, en kies dan Hervatten.',
  number: 'WhatsApp weigert het verzendnummer. Team Techniek: controleer WHATSAPP_PHONE_NUMBER_ID en de registratie van het nummer in WhatsApp Manager, en kies dan Hervatten.',
  template: 'WhatsApp weigert het sjabloon. Team Techniek: controleer het sjabloon in WhatsApp Manager (npm run template:sync toont de status), en kies dan Hervatten.',
  notice: 'WhatsApp weigert de tekst van deze melding (bijvoorbeeld te lang of met opmaak die niet mag). Stuur de informatie opnieuw met een Update met aangepaste tekst; andere meldingen gaan gewoon door.',
};

const ENGLISH: Record<PauseReason['scope'], string> = {
  account: 'Meta refused the account or its access token',
  number: 'Meta refused the sending phone number',
  template: 'Meta refused the template',
  notice: "Meta refused a notice's own text",
};

const FIX: Record<PauseReason['scope'], string> = {
  account: 'renew WHATSAPP_ACCESS_TOKEN (a system user token), check the app permissions and the payment method in Meta Business Suite, then press Hervatten on the status card',
  number: 'check WHATSAPP_PHONE_NUMBER_ID and the number registration in WhatsApp Manager, then press Hervatten on the status card',
  template: 'check the template in WhatsApp Manager (npm run template:sync shows its status), then press Hervatten on the status card',
  notice: 'send the information again as an Update with other text (the other notices are not held)',
};

export function pauseExplanation(reason: PauseReason): string {
  return `Gepauzeerd${reason.code !== null ? ` (WhatsApp-foutcode ${reason.code})` : ''}; niemand is als mislukt gemarkeerd. ${DUTCH[reason.scope]}`;
}

export function pauseForDoctor(reason: PauseReason, notices: number): { detail: string; fix: string } {
  return { detail: `${notices} notice(s) paused: ${ENGLISH[reason.scope]}${reason.code !== null ? ` (error ${reason.code})` : ''}; nobody was marked failed`, fix: FIX[reason.scope] };
}
