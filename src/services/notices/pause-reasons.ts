/**
 * Why a notice is paused, in Dutch for staff (the status card) and in English for the doctor:
 * what Meta refused and what to do before *Hervatten*. Nobody was marked failed for it.
 */
import type { PauseReason } from './notice-lifecycle';

const DUTCH: Record<PauseReason['scope'], string> = {
  account:
    'WhatsApp weigert het account of de toegangssleutel. Team Techniek: controleer in Meta Business Suite de toegangssleutel (WHATSAPP_ACCESS_TOKEN), de rechten van de app en de betaalgegevens, en kies dan Hervatten.',
  number: 'WhatsApp weigert het verzendnummer. Team Techniek: controleer WHATSAPP_PHONE_NUMBER_ID en de registratie van het nummer in WhatsApp Manager, en kies dan Hervatten.',
  template: 'WhatsApp weigert het sjabloon. Team Techniek: controleer het sjabloon in WhatsApp Manager (npm run template:sync toont de status), en kies dan Hervatten.',
  notice: 'WhatsApp weigert de tekst van deze melding (bijvoorbeeld te lang of met opmaak die niet mag). Stuur de informatie opnieuw als update, met aangepaste tekst; andere meldingen gaan gewoon door.',
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

/**
 * Codes that say more than their scope: 131048 is the number's spam rate limit, set by its
 * quality rating (not the token or the account); 100 pausing one notice is Meta calling the
 * request invalid before any of it went out.
 */
const BY_CODE: Record<string, { dutch: string; english: string; fix: string }> = {
  'number:131048': {
    dutch:
      'WhatsApp houdt berichten van ons nummer tegen: de spamlimiet van het nummer is bereikt, omdat de kwaliteitsbeoordeling is gedaald (ontvangers blokkeren of melden berichten). Team Techniek: bekijk de kwaliteitsbeoordeling in WhatsApp Manager (Telefoonnummers, Kwaliteit) en de opmerkingen van ontvangers. Kies Hervatten als de beoordeling weer groen of geel is; meestal na enkele uren tot een dag.',
    english: "Meta's spam rate limit for the sending number (its quality rating dropped)",
    fix: "check the number's quality rating in WhatsApp Manager (Phone numbers, Quality) and why recipients block or report; press Hervatten on the status card once it is green or yellow again (usually hours to a day)",
  },
  'notice:100': {
    dutch:
      'WhatsApp noemt het verzoek ongeldig (foutcode 100) en er is nog niets van deze melding verstuurd. Team Techniek: zoek in het log van de service naar "notice paused" voor de details van Meta, herstel de oorzaak en kies dan Hervatten; andere meldingen gaan gewoon door.',
    english: "Meta called the notice's request invalid (generic code 100) before any of it went out",
    fix: "read Meta's details in the service log (\"notice paused\"), fix the cause, then press Hervatten on the status card",
  },
};

/** The text for this scope and code, when it says more than the scope's own. */
function specificTo(reason: PauseReason): { dutch: string; english: string; fix: string } | undefined {
  return reason.code !== null ? BY_CODE[`${reason.scope}:${reason.code}`] : undefined;
}

export function pauseExplanation(reason: PauseReason): string {
  const specific = specificTo(reason);
  return `Gepauzeerd${reason.code !== null ? ` (WhatsApp-foutcode ${reason.code})` : ''}; niemand is als mislukt gemarkeerd. ${specific?.dutch ?? DUTCH[reason.scope]}`;
}

export function pauseForDoctor(reason: PauseReason, notices: number): { detail: string; fix: string } {
  const specific = specificTo(reason);
  return { detail: `${notices} notice(s) paused: ${specific?.english ?? ENGLISH[reason.scope]}${reason.code !== null ? ` (error ${reason.code})` : ''}; nobody was marked failed`, fix: specific?.fix ?? FIX[reason.scope] };
}
