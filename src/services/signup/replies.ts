/**
 * The Dutch WhatsApp replies of the sign-up conversation (the stappenplan; docs/architecture.md,
 * Sources). `sendWindow`: when notices go out, from BUSINESS_HOURS (lib/send-window.ts).
 */
export function replies(supportEmail: string, sendWindow: string) {
  return {
    askName: (company: string) =>
      `Bedankt! We hebben je aanmelding voor de storingsmeldingen van CBG Connect voor ${company} ontvangen. Wat is je voornaam? Stuur alleen je voornaam, dan is je aanmelding compleet.`,
    askNameAgain: 'Stuur alleen je voornaam (bijvoorbeeld: Anna), dan is je aanmelding compleet. Toch geen meldingen? Stuur "afmelden".',
    confirmed: (firstName: string, company: string) =>
      `Welkom ${firstName}! Je aanmelding is compleet. Je ontvangt vanaf nu via WhatsApp meldingen over landelijke en regionale KPN-storingen (internet en VoIP) voor ${company}, ${sendWindow}. Je ontvangt ook een privacybericht per e-mail. Afmelden kan altijd: stuur "afmelden". Zelf een storing melden of een vraag? Mail naar ${supportEmail}.`,
    alreadySubscribed: 'Je bent al aangemeld voor de storingsmeldingen van CBG Connect. Afmelden? Stuur "afmelden".',
    needCode: `Om je aan te melden heb je de persoonlijke code uit het stappenplan nodig. Stuur de zin met de code, bijvoorbeeld: Ja ik wil storingsberichten van CBG Connect ontvangen. Code: ABCD-EF. Nog geen stappenplan? Vraag het aan via ${supportEmail}.`,
    badCode: `Deze code kennen we niet, of hij is verlopen of al gebruikt. Kijk in de e-mail met het stappenplan of vraag een nieuw stappenplan aan via ${supportEmail}.`,
    tooManyAttempts: `Er zijn te veel onjuiste codes gestuurd. Probeer het morgen opnieuw of vraag een nieuw stappenplan aan via ${supportEmail}.`,
    optedOut: `Je bent afgemeld voor de storingsmeldingen van CBG Connect en je gegevens zijn verwijderd. Je ontvangt nog een bevestiging per e-mail. Later toch weer meldingen? Vraag opnieuw het stappenplan aan via ${supportEmail}.`,
    notSubscribed: 'Dit nummer is niet aangemeld voor de storingsmeldingen van CBG Connect, dus er is niets af te melden.',
    /** An unclear wish to leave (opt-out-text.ts, 'confirm'): only JA within 24 hours erases. */
    askToConfirmOptOut:
      'Wil je je afmelden voor de storingsmeldingen van CBG Connect? Antwoord dan binnen 24 uur met JA. Dan verwijderen we je gegevens en krijg je geen meldingen meer. Wil je aangemeld blijven, dan hoef je niets te doen.',
    stillSubscribed: 'Prima, je blijft aangemeld voor de storingsmeldingen van CBG Connect.',
    /** "Krijg ik nog meldingen?": that they are subscribed, and when the last notice went to them. */
    subscriptionStatus: (company: string, lastNotice: string | null, since: string | null) =>
      `Je bent aangemeld voor de storingsmeldingen van CBG Connect voor ${company}. ${
        lastNotice
          ? `De laatste melding ging naar je toe op ${lastNotice}.`
          : `Sinds je aanmelding${since ? ` op ${since}` : ''} is er voor jouw gebied nog geen storing gemeld, dus je hebt nog geen melding gehad.`
      } Meldingen gaan ${sendWindow} uit. Mis je toch iets? Mail naar ${supportEmail}.`,
    oneWay: `Dit WhatsApp-nummer van CBG Connect verstuurt alleen storingsmeldingen en leest geen berichten. Heb je een storing of een technische vraag? Mail naar ${supportEmail}, dan wordt er direct een ticket voor je aangemaakt.`,
  };
}

export type Replies = ReturnType<typeof replies>;
