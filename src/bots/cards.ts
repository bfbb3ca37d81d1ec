/**
 * Adaptive Cards (schema 1.5) for staff, as pure functions of their data. Actions are
 * Action.Execute (Teams universal actions) with data.verb as in docs/architecture.md (Public contract); the bot accepts
 * the same data from Action.Submit too.
 */
import { CardFactory, type Attachment } from 'botbuilder';
import { PROVINCE_NAMES, PROVINCES } from '../lib/provinces';
import { whatsappToCardMarkdown } from '../lib/whatsapp-format';
import type { ComposeFields, NoticeStatus, OpenOutage } from '../services/staff-services';

export type Card = Record<string, unknown>;

const KIND_TITLE: Record<string, string> = { initial: 'Nieuwe storingsmelding', update: 'Update van de storing', resolved: 'Storing opgelost' };

function card(body: unknown[], actions: unknown[] = []): Card {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, ...(actions.length ? { actions } : {}) };
}

function execute(title: string, verb: string, data: Record<string, unknown>, style?: 'positive' | 'destructive'): Card {
  return { type: 'Action.Execute', title, verb, data: { verb, ...data }, ...(style ? { style } : {}) };
}

function errorLine(errors: Record<string, string>, field: string): unknown[] {
  return errors[field] ? [{ type: 'TextBlock', text: errors[field], color: 'Attention', wrap: true, size: 'Small', spacing: 'None' }] : [];
}

/**
 * A WhatsApp text as the subscriber sees it: one TextBlock per line (Teams joins single line
 * breaks inside a TextBlock), a blank line as extra space, *bold* as bold.
 */
export function whatsappBlocks(text: string, options: { subtle?: boolean } = {}): Card[] {
  const blocks: Card[] = [];
  let gap = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      gap = blocks.length > 0;
      continue;
    }
    blocks.push({ type: 'TextBlock', text: whatsappToCardMarkdown(line), wrap: true, spacing: blocks.length === 0 ? 'Default' : gap ? 'Medium' : 'None', ...(options.subtle ? { isSubtle: true } : {}) });
    gap = false;
  }
  return blocks;
}

export type ComposeValues = ComposeFields;

function choiceSet(id: string, label: string, value: string, choices: [string, string][], extra: Record<string, unknown>): Card {
  return { type: 'Input.ChoiceSet', id, label, value, choices: choices.map(([title, v]) => ({ title, value: v })), ...extra };
}

/** What each kind of compose card says and asks: an update or resolution keeps the outage's service and area. */
const COMPOSE: Record<string, { hint: string; placeholder: string; required: string; asksSeverity: boolean; asksResolution: boolean }> = {
  initial: {
    hint: 'Alleen landelijke of regionale KPN-storingen; geen gepland onderhoud of geplande werkzaamheden.',
    placeholder: 'Wat merkt de klant, wat doet KPN eraan?',
    required: 'Beschrijf de storing.',
    asksSeverity: true,
    asksResolution: true,
  },
  update: {
    hint: 'Gaat naar de ontvangers van de vorige melding en wie zich sindsdien in het gebied heeft aangemeld; dienst en gebied blijven gelijk.',
    placeholder: 'Wat is er veranderd? Bijv. oorzaak gevonden, monteurs ter plaatse.',
    required: 'Beschrijf wat er veranderd is.',
    asksSeverity: true,
    asksResolution: true,
  },
  resolved: {
    hint: 'Gaat naar de ontvangers van de vorige melding en wie zich sindsdien in het gebied heeft aangemeld. Daarna staat de storing op Opgelost en kun je geen updates meer sturen.',
    placeholder: 'Wat is er opgelost? Bijv. alle verbindingen werken weer sinds 14:10.',
    required: 'Beschrijf wat er is opgelost.',
    asksSeverity: false,
    asksResolution: false,
  },
};

export function composeCard(options: { kind: string; outageId?: string; about?: string; values?: ComposeValues; errors?: Record<string, string> }): Card {
  const v = options.values ?? {};
  const e = options.errors ?? {};
  const fixed = options.kind !== 'initial';
  const text = COMPOSE[options.kind] ?? COMPOSE.initial;
  return card(
    [
      { type: 'TextBlock', text: KIND_TITLE[options.kind] ?? 'Storingsmelding', weight: 'Bolder', size: 'Medium', wrap: true },
      ...(options.about ? [{ type: 'TextBlock', text: options.about, weight: 'Bolder', wrap: true, spacing: 'None' }] : []),
      { type: 'TextBlock', text: text.hint, isSubtle: true, wrap: true, size: 'Small' },
      choiceSet('service', 'Dienst', v.service ?? 'internet', [['Internet', 'internet'], ['VoIP (bellen)', 'voip'], ['Internet en VoIP', 'internet_voip']], { isRequired: true, errorMessage: 'Kies de dienst.', isVisible: !fixed }),
      ...errorLine(e, 'service'),
      choiceSet('scope', 'Gebied', v.scope ?? 'landelijk', [['Landelijk', 'landelijk'], ['Regionaal', 'regionaal']], { style: 'expanded', isRequired: true, isVisible: !fixed }),
      ...errorLine(e, 'scope'),
      choiceSet('regions', 'Provincies (bij regionaal)', v.regions ?? '', PROVINCES.map((code) => [PROVINCE_NAMES[code], code]), { isMultiSelect: true, style: 'filtered', isVisible: !fixed }),
      ...errorLine(e, 'regions'),
      ...(text.asksSeverity ? [choiceSet('severity', 'Ernst', v.severity ?? 'middel', [['Laag', 'laag'], ['Middel', 'middel'], ['Hoog', 'hoog']], { isRequired: true }), ...errorLine(e, 'severity')] : []),
      { type: 'Input.Text', id: 'text', label: 'Tekst voor de klant', isMultiline: true, maxLength: 700, isRequired: true, errorMessage: text.required, value: v.text ?? '', placeholder: text.placeholder },
      ...errorLine(e, 'text'),
      ...(text.asksResolution
        ? [
            { type: 'Input.Text', id: 'expectedResolution', label: 'Verwachte oplossing (optioneel)', maxLength: 100, value: v.expectedResolution ?? '', placeholder: 'bijv. vandaag 14:00' },
            ...errorLine(e, 'expectedResolution'),
          ]
        : []),
    ],
    [execute('Voorbeeld bekijken', 'preview', { kind: options.kind, ...(options.outageId ? { outageId: options.outageId } : {}) })],
  );
}

export interface PreviewData {
  kind: string;
  outageId?: string;
  requestId: string;
  values: ComposeValues;
  text: string;
  recipients: number;
  /** The recipients as staff read them (a follow-up: who got the last notice, who joined since). */
  recipientsText?: string;
  releaseText: string;
  warnings: string[];
  /** Why it cannot be sent (the template is not approved): shown in red, no Versturen. */
  blocked?: string | null;
}

export function previewCard(p: PreviewData): Card {
  const data = { kind: p.kind, requestId: p.requestId, ...(p.outageId ? { outageId: p.outageId } : {}), ...p.values };
  return card(
    [
      { type: 'TextBlock', text: `Voorbeeld: ${KIND_TITLE[p.kind] ?? 'melding'}`, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: 'Dit bericht krijgt iedere ontvanger afzonderlijk via WhatsApp:', isSubtle: true, wrap: true, size: 'Small' },
      { type: 'Container', style: 'emphasis', items: whatsappBlocks(p.text) },
      {
        type: 'FactSet',
        facts: [
          { title: 'Ontvangers', value: p.recipientsText ?? String(p.recipients) },
          { title: 'Verzending', value: p.releaseText },
        ],
      },
      ...(p.blocked ? [{ type: 'TextBlock', text: `⛔ ${p.blocked}`, color: 'Attention', weight: 'Bolder', wrap: true }] : []),
      ...p.warnings.map((w) => ({ type: 'TextBlock', text: `⚠️ ${w}`, color: 'Warning', wrap: true })),
    ],
    [...(p.blocked ? [] : [execute('Versturen', 'send', data, 'positive')]), execute('Wijzigen', 'edit', data), execute('Annuleren', 'cancel', { kind: p.kind })],
  );
}

export type StatusData = NoticeStatus;

/**
 * How long a status card asks Teams for fresh figures: read receipts come in over hours (a
 * phone that was off, a weekend), so for a week after the last send. After that the card keeps
 * its last figures; the tab has the history.
 */
export const REFRESH_FOR_MS = 7 * 24 * 3600_000;

/**
 * Whether Teams should fetch the card's figures when it shows the card: once the notice is out
 * (while it is sent, held, paused or awaiting approval the bot rewrites the card itself, and a
 * refresh on each of those rewrites would cost a query per viewer every 5 s), until a week later.
 */
export function keepsCounting(s: StatusData): boolean {
  return s.status === 'done' && s.finishedAt !== null && Date.parse(s.asOf) - Date.parse(s.finishedAt) < REFRESH_FOR_MS;
}

/** The buttons of an open outage: an update or the resolution, composed in a new card. */
function followUpActions(outageId: string, messageId?: string): Card[] {
  const data = { outageId, ...(messageId ? { messageId } : {}) };
  return [execute('Update', 'update', data), execute('Opgelost', 'resolve', data, 'positive')];
}

function figures(p: StatusData['progress']): Card {
  return {
    type: 'FactSet',
    facts: [
      { title: 'Ontvangers', value: String(p.total) },
      { title: 'In de wachtrij', value: String(p.queued + p.sending) },
      { title: 'Verstuurd', value: String(p.sent + p.delivered + p.read) },
      { title: 'Afgeleverd', value: String(p.delivered + p.read) },
      { title: 'Gelezen', value: String(p.read) },
      { title: 'Mislukt', value: String(p.failed) },
      // Not sent because a newer notice replaced this one: not failures.
      ...(p.cancelled > 0 ? [{ title: 'Geannuleerd', value: String(p.cancelled) }] : []),
      ...(p.billable > 0 ? [{ title: 'Gefactureerd door Meta', value: `${p.billable}${p.billedAs ? ` (${p.billedAs})` : ''}` }] : []),
    ],
  };
}

/**
 * Why recipients failed, one line per reason with its count; masked numbers only in a
 * personal chat (others in a group chat or channel may not see who a subscriber is).
 */
function failureBlocks(s: StatusData, personal: boolean): Card[] {
  if (s.failures.length === 0) return [];
  const lines = s.failures.map((f) => ({ title: String(f.count), value: `${f.reason}${personal && f.masked.length ? `: ${f.masked.join(', ')}${f.count > f.masked.length ? ', …' : ''}` : ''}` }));
  const note = s.retried ? 'De mislukte berichten zijn al een keer opnieuw geprobeerd.' : s.retryable > 0 ? `${s.retryable === 1 ? '1 bericht kan' : `${s.retryable} berichten kunnen`} opnieuw worden verstuurd.` : null;
  return [
    { type: 'TextBlock', text: 'Waarom mislukt', weight: 'Bolder', wrap: true, spacing: 'Medium' },
    { type: 'FactSet', facts: lines, spacing: 'Small' },
    ...(note ? [{ type: 'TextBlock', text: note, isSubtle: true, wrap: true, size: 'Small', spacing: 'Small' }] : []),
  ];
}

/**
 * A notice's status card. Once the notice is out it carries a Universal Actions
 * `refresh` (verb `status`): Teams asks the bot for the current card whenever someone looks at
 * it, automatically in chats of up to 60 people and for `viewerIds` in bigger ones.
 */
export function statusCard(s: StatusData, options: { viewerIds?: string[]; personal?: boolean; problem?: string; noRefresh?: boolean } = {}): Card {
  const actions: Card[] = [];
  if (s.status === 'awaiting_approval') actions.push(execute('Goedkeuren', 'approve', { messageId: s.messageId, outageId: s.outageId }, 'positive'));
  if (s.status === 'paused') actions.push(execute('Hervatten', 'resume', { messageId: s.messageId, outageId: s.outageId }, 'positive'));
  if (s.status === 'held' || s.status === 'awaiting_approval') actions.push(execute('Annuleren', 'cancel', { messageId: s.messageId, outageId: s.outageId }, 'destructive'));
  if (s.retryable > 0) actions.push(execute('Opnieuw proberen (mislukt)', 'retry', { messageId: s.messageId, outageId: s.outageId }));
  if (s.outageOpen) actions.push(...followUpActions(s.outageId, s.messageId));
  // By hand too: Teams refreshes a card on its own only while it is on screen, and not for ever.
  const refresh = execute('Vernieuwen', 'status', { messageId: s.messageId, outageId: s.outageId });
  actions.push(refresh);
  const reachedNobody = s.status === 'done' && s.progress.failed > 0 && s.progress.sent + s.progress.delivered + s.progress.read === 0;
  const body = card(
    [
      { type: 'TextBlock', text: KIND_TITLE[s.kind] ?? 'Melding', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: s.statusText, wrap: true, weight: 'Bolder', color: s.status === 'paused' || s.status === 'superseded' || reachedNobody ? 'Attention' : 'Default' },
      ...whatsappBlocks(s.text, { subtle: true }),
      figures(s.progress),
      ...failureBlocks(s, options.personal ?? false),
      ...(options.problem ? [{ type: 'TextBlock', text: `⚠️ ${options.problem}`, color: 'Attention', wrap: true }] : []),
    ],
    actions,
  );
  if (options.noRefresh || !keepsCounting(s)) return body;
  // userIds: [] would switch automatic refresh off, so no ids means no userIds at all.
  const viewerIds = (options.viewerIds ?? []).filter(Boolean).slice(0, 60);
  return { ...body, refresh: { action: refresh, ...(viewerIds.length ? { userIds: viewerIds } : {}) } };
}

/** The figures that matter in a list: "Ontvangers 120 · Afgeleverd 110 · Gelezen 80 · Mislukt 2". */
function figuresInOneLine(p: StatusData['progress']): string {
  return `Ontvangers ${p.total} · Afgeleverd ${p.delivered + p.read} · Gelezen ${p.read} · Mislukt ${p.failed}${p.queued + p.sending > 0 ? ` · In de wachtrij ${p.queued + p.sending}` : ''}`;
}

/** /storingen: the open outages, each with its latest notice's figures and its buttons. */
export function openOutagesCard(outages: OpenOutage[]): Card {
  if (outages.length === 0) {
    return messageCard('Geen open storingen', ['Alle storingen zijn opgelost. Een nieuwe storing meld je met /outage.'], 'Good');
  }
  const items = outages.map((o, index) => ({
    type: 'Container',
    separator: index > 0,
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: o.title, weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: o.latest ? `Gemeld ${o.openedAt} · laatste melding: ${KIND_TITLE[o.latest.kind] ?? o.latest.kind}. ${o.latest.statusText}` : `Gemeld ${o.openedAt} · nog geen melding verstuurd.`,
        isSubtle: true,
        wrap: true,
        size: 'Small',
        spacing: 'None',
      },
      ...(o.latest ? [{ type: 'TextBlock', text: figuresInOneLine(o.latest.progress), wrap: true, spacing: 'Small' }] : []),
      { type: 'ActionSet', actions: followUpActions(o.outageId) },
    ],
  }));
  // The list holds at most the 25 newest (services/notices/outages.ts): a full list says so.
  const count = outages.length >= 25 ? `de ${outages.length} nieuwste` : String(outages.length);
  return card([{ type: 'TextBlock', text: `Open storingen (${count})`, weight: 'Bolder', size: 'Medium', wrap: true }, ...items], [execute('Vernieuwen', 'storingen', {})]);
}

export function messageCard(title: string, lines: string[], color: 'Default' | 'Attention' | 'Good' = 'Default'): Card {
  return card([{ type: 'TextBlock', text: title, weight: 'Bolder', wrap: true, color }, ...lines.map((text) => ({ type: 'TextBlock', text, wrap: true }))]);
}

export function helpCard(): Card {
  return card([
    { type: 'TextBlock', text: 'Storingsmelder: wat kan ik doen?', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: '/outage', value: 'Een storingsmelding opstellen, bekijken en versturen' },
        { title: '/storingen', value: 'De open storingen met hun laatste melding, om een update of "opgelost" te sturen' },
        { title: '/stappenplan <e-mail> <klant>', value: 'Het stappenplan naar een contactpersoon van een klant sturen' },
        { title: '/abonnee <telefoon>', value: 'Alles wat over een nummer is opgeslagen (inzage, export)' },
        { title: '/verwijder <telefoon>', value: 'Een abonnee verwijderen op schriftelijk verzoek' },
        { title: '/rechten', value: 'Wie medewerker, manager of beheerder is; beheerders geven en ontnemen rechten: /rechten geef <Entra-id> medewerker' },
        { title: 'help', value: 'Dit overzicht' },
      ],
    },
  ]);
}

/** The erasure confirmation: it names the subscriber by masked number and carries only the opaque id. */
export function confirmEraseCard(subscriberId: string, masked: string): Card {
  return card(
    [
      { type: 'TextBlock', text: `Abonnee ${masked} verwijderen?`, weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: 'Alleen op schriftelijk verzoek van de abonnee. De gegevens worden direct verwijderd en de abonnee krijgt het AVG-afmeldbericht per e-mail.', wrap: true },
      { type: 'Input.Text', id: 'reason', label: 'Verzoek (datum en kanaal, zonder persoonsgegevens)', isRequired: true, errorMessage: 'Vul het verzoek in.', maxLength: 200 },
    ],
    [execute('Definitief verwijderen', 'erase', { subscriberId, masked }, 'destructive'), execute('Annuleren', 'cancel', {})],
  );
}

/**
 * /stappenplan to an address outside the customer's e-mail domains: not sent. Staff send it
 * anyway (audited), or for the customer whose domain it is.
 */
export function outsideDomainsCard(email: string, found: { customerName: string; customerNumber: string; domains: string[]; matching: { name: string; customerNumber: string }[] }): Card {
  const others = found.matching.slice(0, 3);
  return card(
    [
      { type: 'TextBlock', text: 'Stappenplan nog niet verstuurd', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: `${email} hoort niet bij ${found.customerName} (${found.customerNumber}): in het klantenbestand ${found.domains.length === 1 ? `staat voor deze klant het e-maildomein ${found.domains[0]}` : `staan voor deze klant de e-maildomeinen ${found.domains.join(', ')}`}.`, wrap: true, color: 'Attention' },
      {
        type: 'TextBlock',
        text: others.length
          ? `Het adres past bij ${others.map((c) => `${c.name} (${c.customerNumber})`).join(', ')}. Kies de juiste klant, of verstuur het toch als je zeker weet dat deze persoon voor ${found.customerName} werkt.`
          : `Verstuur het alleen als je zeker weet dat deze persoon voor ${found.customerName} werkt; de aanmeldcode meldt de ontvanger aan als medewerker van deze klant.`,
        wrap: true,
      },
    ],
    [
      ...others.map((c) => execute(`Versturen voor ${c.name}`, 'invite', { email, customer: c.customerNumber }, 'positive')),
      execute(`Toch versturen voor ${found.customerName}`, 'invite', { email, customer: found.customerNumber, outsideDomains: true }),
      execute('Annuleren', 'cancel', {}),
    ],
  );
}

/** /stappenplan with a customer the registry does not know: the ones it may have meant, each a button. */
export function suggestedCustomersCard(email: string, typed: string, suggestions: { name: string; customerNumber: string }[]): Card {
  return card(
    [
      { type: 'TextBlock', text: 'Stappenplan nog niet verstuurd', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: `"${typed}" staat niet in het klantenbestand van CBG Connect. Bedoel je een van deze klanten?`, wrap: true, color: 'Attention' },
    ],
    [...suggestions.map((c) => execute(`Versturen voor ${c.name} (${c.customerNumber})`, 'invite', { email, customer: c.customerNumber }, 'positive')), execute('Annuleren', 'cancel', {})],
  );
}

export function attachment(content: Card): Attachment {
  return CardFactory.adaptiveCard(content);
}
