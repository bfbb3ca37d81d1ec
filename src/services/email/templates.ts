/**
 * The Dutch e-mails: the stappenplan (the stappenplan; docs/architecture.md, Sources) and the AVG privacy notices at sign-up and
 * opt-out (docs/architecture.md, Sources). Each returns subject, plain text and HTML with the same content.
 */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export const OPT_IN_SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';

export function optInLine(code: string): string {
  return `${OPT_IN_SENTENCE} Code: ${code}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Paragraphs (strings) and numbered lists (string arrays) rendered as text and as HTML. */
type Block = string | { steps: string[] } | { copy: string };

function render(subject: string, blocks: Block[]): MailContent {
  const text = blocks
    .map((b) => (typeof b === 'string' ? b : 'steps' in b ? b.steps.map((s, i) => `${i + 1}. ${s}`).join('\n') : `    ${b.copy}`))
    .join('\n\n');
  const body = blocks
    .map((b) =>
      typeof b === 'string'
        ? `<p>${escapeHtml(b).replace(/\n/g, '<br>')}</p>`
        : 'steps' in b
          ? `<ol>${b.steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`
          : `<p style="font-family:monospace;font-size:15px;background:#f3f3f3;padding:12px;border-radius:4px;white-space:nowrap">${escapeHtml(b.copy)}</p>`,
    )
    .join('\n');
  const html = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:Segoe UI,Arial,sans-serif;line-height:1.5;color:#222">\n${body}\n</body></html>`;
  return { subject, text: `${text}\n`, html };
}

export interface StappenplanData {
  code: string;
  companyName: string;
  whatsappNumber: string;
  supportEmail: string;
  expiresOn: string;
}

export function stappenplanMail(d: StappenplanData): MailContent {
  return render('Stappenplan aanmelden WhatsApp storingsmeldingen CBG Connect', [
    'Beste relatie,',
    `Je hebt het stappenplan aangevraagd om KPN-storingsmeldingen (internet en VoIP) van CBG Connect via WhatsApp te ontvangen voor ${d.companyName}. Zo meld je je aan:`,
    {
      steps: [
        'Zorg dat WhatsApp op je mobiele telefoon staat.',
        'Voeg CBG Connect toe aan je contactlijst.',
        `Voeg het telefoonnummer ${d.whatsappNumber} toe aan het contact CBG Connect.`,
        'Ga naar WhatsApp en zoek het contact CBG Connect op.',
        'Stuur CBG Connect een bericht met precies deze regel (kopieer hem in zijn geheel):',
      ],
    },
    { copy: optInLine(d.code) },
    `6. CBG Connect vraagt daarna je voornaam en bevestigt via WhatsApp de ontvangst van je gegevens. Pas dan is je aanmelding compleet.\n7. We bewaren alleen je voornaam, je bedrijfsnaam, je mobiele nummer en de code waarmee WhatsApp je bij ons aanduidt (je WhatsApp-gebruikers-ID, als je een gebruikersnaam hebt), en dit e-mailadres voor de AVG-berichten.\n8. Meldingen gaan individueel naar iedere ontvanger: niemand ziet wie er nog meer op de lijst staat.`,
    `De code is persoonlijk, werkt één keer en is geldig tot en met ${d.expiresOn}.`,
    'Afmelden: stuur op elk moment "afmelden" naar CBG Connect via WhatsApp. Je gegevens worden dan verwijderd.',
    `Let op: via WhatsApp kun je geen storingen of vragen melden. Mail daarvoor naar ${d.supportEmail}; er wordt dan direct een ticket voor je aangemaakt.`,
    'Met vriendelijke groet,\nCBG Connect',
  ]);
}

export interface PrivacyData {
  firstName: string;
  companyName: string;
  supportEmail: string;
  retentionMonths: number;
  /** When notices go out, from BUSINESS_HOURS (lib/send-window.ts). */
  sendWindow: string;
}

export function avgOptInMail(d: PrivacyData): MailContent {
  return render('Privacybericht: je aanmelding voor WhatsApp-storingsmeldingen van CBG Connect', [
    `Beste ${d.firstName},`,
    `Je bent aangemeld voor KPN-storingsmeldingen van CBG Connect via WhatsApp voor ${d.companyName}. In verband met de AVG laten we je weten wat we met je gegevens doen.`,
    `Welke gegevens: alleen je voornaam, je bedrijfsnaam, je mobiele telefoonnummer, de code waarmee WhatsApp je bij ons aanduidt (je WhatsApp-gebruikers-ID, als je een gebruikersnaam gebruikt) en dit e-mailadres (voor deze privacyberichten). De inhoud van berichten die je ons via WhatsApp stuurt, slaan we niet op.`,
    `Waarvoor: uitsluitend om je te informeren over landelijke en regionale storingen op het KPN-netwerk, ${d.sendWindow}. We gebruiken je gegevens niet voor andere doeleinden en geven ze niet door aan derden.`,
    `Hoe lang: zolang je aangemeld bent. Bij afmelding verwijderen we je gegevens direct. Verzendgegevens van meldingen (naar welk nummer een melding ging) bewaren we maximaal ${d.retentionMonths} maanden; daarna blijven alleen anonieme aantallen over.`,
    'Privé: meldingen gaan individueel naar iedere ontvanger. Niemand ziet wie er nog meer meldingen ontvangt.',
    'Afmelden: stuur "afmelden" naar CBG Connect via WhatsApp. Je ontvangt dan een bevestiging en je gegevens worden verwijderd.',
    `Inzage, correctie of verwijdering: stuur een verzoek naar ${d.supportEmail}. Een klacht kun je ook indienen bij de Autoriteit Persoonsgegevens.`,
    'Dit bericht wordt voor de AVG-controle gearchiveerd in het CRM van CBG Connect.',
    'Met vriendelijke groet,\nCBG Connect',
  ]);
}

export function avgOptOutMail(d: Omit<PrivacyData, 'sendWindow'> & { erasedOnRequest: boolean }): MailContent {
  return render('Privacybericht: je afmelding voor WhatsApp-storingsmeldingen van CBG Connect', [
    `Beste ${d.firstName},`,
    d.erasedOnRequest
      ? `Op je verzoek hebben we je gegevens voor de WhatsApp-storingsmeldingen van CBG Connect (${d.companyName}) verwijderd.`
      : `Je hebt je via WhatsApp afgemeld voor de storingsmeldingen van CBG Connect (${d.companyName}).`,
    'Je voornaam, je mobiele telefoonnummer, je WhatsApp-gebruikers-ID en je koppeling aan je bedrijf zijn verwijderd. Openstaande meldingen aan jouw nummer zijn geannuleerd en je ontvangt geen meldingen meer.',
    'Alleen dit privacybericht en het aanmeldbericht bewaren we, omdat de AVG-controle dat vereist; ze zijn gearchiveerd in het CRM van CBG Connect.',
    'Wil je later toch weer meldingen ontvangen? Vraag dan opnieuw het stappenplan aan.',
    `Vragen over je gegevens: ${d.supportEmail}.`,
    'Met vriendelijke groet,\nCBG Connect',
  ]);
}
