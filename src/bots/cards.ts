/**
 * Adaptive Cards (schema 1.5) for staff, as pure functions of their data. Actions are
 * Action.Execute (Teams universal actions) with data.verb as in docs/architecture.md (Public contract); the bot accepts
 * the same data from Action.Submit too.
 */
import { CardFactory, type Attachment } from 'botbuilder';
import { PROVINCE_NAMES, PROVINCES } from '../lib/provinces';
import { whatsappToCardMarkdown } from '../lib/whatsapp-format';
import type { ComposeFields, NoticeStatus } from '../services/staff-services';

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

export function composeCard(options: { kind: string; outageId?: string; values?: ComposeValues; errors?: Record<string, string> }): Card {
  const v = options.values ?? {};
  const e = options.errors ?? {};
  const fixed = options.kind !== 'initial';
  return card(
    [
      { type: 'TextBlock', text: KIND_TITLE[options.kind] ?? 'Storingsmelding', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: 'Alleen landelijke of regionale KPN-storingen; geen gepland onderhoud of werkzaamheden.', isSubtle: true, wrap: true, size: 'Small' },
      {
        type: 'Input.ChoiceSet',
        id: 'service',
        label: 'Dienst',
        isRequired: true,
        errorMessage: 'Kies de dienst.',
        value: v.service ?? 'internet',
        choices: [
          { title: 'Internet', value: 'internet' },
          { title: 'VoIP (bellen)', value: 'voip' },
          { title: 'Internet en VoIP', value: 'internet_voip' },
        ],
        isVisible: !fixed,
      },
      ...errorLine(e, 'service'),
      {
        type: 'Input.ChoiceSet',
        id: 'scope',
        label: 'Gebied',
        style: 'expanded',
        isRequired: true,
        value: v.scope ?? 'landelijk',
        choices: [
          { title: 'Landelijk', value: 'landelijk' },
          { title: 'Regionaal', value: 'regionaal' },
        ],
        isVisible: !fixed,
      },
      ...errorLine(e, 'scope'),
      {
        type: 'Input.ChoiceSet',
        id: 'regions',
        label: 'Provincies (bij regionaal)',
        isMultiSelect: true,
        style: 'filtered',
        value: v.regions ?? '',
        choices: PROVINCES.map((code) => ({ title: PROVINCE_NAMES[code], value: code })),
        isVisible: !fixed,
      },
      ...errorLine(e, 'regions'),
      {
        type: 'Input.ChoiceSet',
        id: 'severity',
        label: 'Ernst',
        isRequired: true,
        value: v.severity ?? 'middel',
        choices: [
          { title: 'Laag', value: 'laag' },
          { title: 'Middel', value: 'middel' },
          { title: 'Hoog', value: 'hoog' },
        ],
      },
      ...errorLine(e, 'severity'),
      { type: 'Input.Text', id: 'text', label: 'Tekst voor de klant', isMultiline: true, maxLength: 700, isRequired: true, errorMessage: 'Beschrijf de storing.', value: v.text ?? '', placeholder: 'Wat merkt de klant, wat doet KPN eraan?' },
      ...errorLine(e, 'text'),
      { type: 'Input.Text', id: 'expectedResolution', label: 'Verwachte oplossing (optioneel)', maxLength: 100, value: v.expectedResolution ?? '', placeholder: 'bijv. vandaag 14:00' },
      ...errorLine(e, 'expectedResolution'),
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
          { title: 'Ontvangers', value: String(p.recipients) },
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

export function statusCard(s: StatusData): Card {
  const actions: Card[] = [];
  if (s.status === 'awaiting_approval') actions.push(execute('Goedkeuren', 'approve', { messageId: s.messageId, outageId: s.outageId }, 'positive'));
  if (s.status === 'paused') actions.push(execute('Hervatten', 'resume', { messageId: s.messageId, outageId: s.outageId }, 'positive'));
  if (s.status === 'held' || s.status === 'awaiting_approval') actions.push(execute('Annuleren', 'cancel', { messageId: s.messageId, outageId: s.outageId }, 'destructive'));
  if (s.outageOpen) actions.push(execute('Update', 'update', { outageId: s.outageId }), execute('Opgelost', 'resolve', { outageId: s.outageId }, 'positive'));
  const p = s.progress;
  return card(
    [
      { type: 'TextBlock', text: KIND_TITLE[s.kind] ?? 'Melding', weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: s.statusText, wrap: true, weight: 'Bolder', color: s.status === 'paused' ? 'Attention' : 'Default' },
      ...whatsappBlocks(s.text, { subtle: true }),
      {
        type: 'FactSet',
        facts: [
          { title: 'Ontvangers', value: String(p.total) },
          { title: 'In de wachtrij', value: String(p.queued + p.sending) },
          { title: 'Verstuurd', value: String(p.sent + p.delivered + p.read) },
          { title: 'Afgeleverd', value: String(p.delivered + p.read) },
          { title: 'Gelezen', value: String(p.read) },
          { title: 'Mislukt', value: String(p.failed) },
          ...(p.billable > 0 ? [{ title: 'Gefactureerd door Meta', value: `${p.billable}${p.billedAs ? ` (${p.billedAs})` : ''}` }] : []),
        ],
      },
    ],
    actions,
  );
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
        { title: '/stappenplan <e-mail> <klant>', value: 'Het stappenplan naar een contactpersoon van een klant sturen' },
        { title: '/abonnee <telefoon>', value: 'Alles wat over een nummer is opgeslagen (inzage, export)' },
        { title: '/verwijder <telefoon>', value: 'Een abonnee verwijderen op schriftelijk verzoek' },
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

export function attachment(content: Card): Attachment {
  return CardFactory.adaptiveCard(content);
}
