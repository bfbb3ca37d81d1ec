/**
 * The approved WhatsApp template `storing_melding` (docs/architecture.md (Public contract)): its body text as registered
 * with Meta, the five body parameters in order, and the rendering staff see in the preview.
 * Parameters are frozen into outage_message.template_parameters at compose time, so the
 * preview and what the dispatcher sends can never differ.
 */
import { OutageMessageKind, OutageScope, OutageService, OutageSeverity } from '../../entities';
import { PROVINCE_NAMES, type Province } from '../../lib/provinces';

/** Body of the template as registered with Meta ({{n}} = parameter n). Keep in sync with WhatsApp Manager. */
export const TEMPLATE_BODY =
  '*{{1}}* KPN {{2}}\nGebied: {{3}}\nImpact: {{4}}\n\n{{5}}\n\nCBG Connect. Afmelden? Stuur "afmelden".';

/** Sample values Meta's reviewers see with the body (one per {{n}}, in order). */
export const TEMPLATE_EXAMPLE = ['Storing', 'internet', 'Utrecht, Noord-Holland', 'Hoog', 'Geen internet in de regio Utrecht. Monteurs zijn onderweg. Verwachte oplossing: vandaag 14:00.'];

/** How many body parameters a template text has ({{1}} ... {{n}}). */
export function parameterCount(body: string): number {
  return new Set(body.match(/\{\{\d+\}\}/g) ?? []).size;
}

/** The template as it is registered with Meta: category UTILITY (a service alert), our body and its samples. */
export function templateDefinition(name: string, language: string) {
  return { name, language, category: 'UTILITY' as const, components: [{ type: 'BODY', text: TEMPLATE_BODY, example: { body_text: [TEMPLATE_EXAMPLE] } }] };
}

/** Meta's limit for one text parameter is generous, but the whole body must stay under 1024. */
export const MAX_STAFF_TEXT = 700;

const STATUS_LABEL: Record<OutageMessageKind, string> = {
  [OutageMessageKind.Initial]: 'Storing',
  [OutageMessageKind.Update]: 'Update',
  [OutageMessageKind.Resolved]: 'Opgelost',
};

const SERVICE_LABEL: Record<OutageService, string> = {
  [OutageService.Internet]: 'internet',
  [OutageService.Voip]: 'VoIP (bellen)',
  [OutageService.InternetVoip]: 'internet en VoIP (bellen)',
};

const SEVERITY_LABEL: Record<OutageSeverity, string> = {
  [OutageSeverity.Laag]: 'Laag',
  [OutageSeverity.Middel]: 'Middel',
  [OutageSeverity.Hoog]: 'Hoog',
};

export interface NoticeContent {
  kind: OutageMessageKind;
  service: OutageService;
  scope: OutageScope;
  regions: string[];
  severity: OutageSeverity;
  text: string;
  expectedResolution?: string | null;
}

/**
 * WhatsApp refuses a text parameter with a newline, a tab or more than 4 consecutive spaces
 * (error 132018): flatten all white space, and trim to the length limit.
 */
export function sanitizeParameter(value: string, maxLength = MAX_STAFF_TEXT): string {
  // Every run of white space, Unicode's line and paragraph separators (U+2028, U+2029, U+0085)
  // and no-break spaces included, becomes one plain space.
  const flat = value.replace(/[\s\u0085]+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1).trimEnd()}…` : flat;
}

export function areaLabel(scope: OutageScope, regions: string[]): string {
  if (scope === OutageScope.Landelijk) return 'Landelijk';
  return regions.map((code) => PROVINCE_NAMES[code as Province] ?? code).join(', ');
}

/** The severity a notice's frozen parameters carry (parameter 4), or null if it is not one. */
export function severityOfParameters(parameters: string[]): OutageSeverity | null {
  const found = Object.entries(SEVERITY_LABEL).find(([, label]) => label === parameters[3]);
  return found ? (found[0] as OutageSeverity) : null;
}

/** An outage in one line for staff: "KPN internet · Utrecht, Noord-Holland · Hoog". */
export function outageTitle(outage: { service: OutageService; scope: OutageScope; regions: string[]; severity: OutageSeverity }): string {
  return `KPN ${SERVICE_LABEL[outage.service]} · ${areaLabel(outage.scope, outage.regions)} · ${SEVERITY_LABEL[outage.severity]}`;
}

/**
 * The five body parameters in template order: status, service, area, severity, text. A
 * resolution carries the outage's severity too: the public contract fixes parameter 4 as the
 * severity, and the "Impact:" line is fixed text of the approved template (a line cannot be
 * left out per message). A resolution worded without it needs a second template (docs/platform.md).
 */
export function buildTemplateParameters(content: NoticeContent): string[] {
  const text = content.expectedResolution ? `${content.text} Verwachte oplossing: ${content.expectedResolution}.` : content.text;
  return [
    STATUS_LABEL[content.kind],
    SERVICE_LABEL[content.service],
    areaLabel(content.scope, content.regions),
    SEVERITY_LABEL[content.severity],
    text,
  ].map((p) => sanitizeParameter(p));
}

/** Exactly what a subscriber reads: the template body with the parameters filled in. */
export function renderNotice(parameters: string[]): string {
  return TEMPLATE_BODY.replace(/\{\{(\d)\}\}/g, (_m, n: string) => parameters[Number(n) - 1] ?? '');
}
