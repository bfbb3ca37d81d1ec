/**
 * The approved WhatsApp templates (docs/architecture.md (Public contract)): `storing_melding`
 * for a storing or an update (five body parameters: status, service, area, severity, text) and
 * `storing_opgelost` for a resolution (three: service, area, text; no Impact line, so it reads
 * as a resolution). Their body texts as registered with Meta, the parameters in order, and the
 * rendering staff see in the preview. Parameters are frozen into
 * outage_message.template_parameters at compose time, so the preview and what the dispatcher
 * sends can never differ; their number says which template a notice goes out with.
 */
import { OutageMessageKind, OutageScope, OutageService, OutageSeverity } from '../../entities';
import { PROVINCE_NAMES, type Province } from '../../lib/provinces';

/** Body of the template as registered with Meta ({{n}} = parameter n). Keep in sync with WhatsApp Manager. */
export const TEMPLATE_BODY =
  '*{{1}}* KPN {{2}}\nGebied: {{3}}\nImpact: {{4}}\n\n{{5}}\n\nCBG Connect. Afmelden? Stuur "afmelden".';

/** Sample values Meta's reviewers see with the body (one per {{n}}, in order). */
export const TEMPLATE_EXAMPLE = ['Storing', 'internet', 'Utrecht, Noord-Holland', 'Hoog', 'Geen internet in de regio Utrecht. Monteurs zijn onderweg. Verwachte oplossing: vandaag 14:00.'];

/** Body of the resolution template (`storing_opgelost`) as registered with Meta. */
export const RESOLUTION_TEMPLATE_BODY = '*Opgelost* KPN {{1}}\nGebied: {{2}}\n\n{{3}}\n\nCBG Connect. Afmelden? Stuur "afmelden".';

export const RESOLUTION_TEMPLATE_EXAMPLE = ['internet', 'Utrecht, Noord-Holland', 'De storing is verholpen: internet werkt weer normaal.'];

/** Which of the two templates: the notice (storing, update) or the resolution. */
export type TemplateRole = 'notice' | 'resolution';

export const TEMPLATE_ROLES: TemplateRole[] = ['notice', 'resolution'];

export const TEMPLATE_BODIES: Record<TemplateRole, string> = { notice: TEMPLATE_BODY, resolution: RESOLUTION_TEMPLATE_BODY };

/** The template a notice of this kind goes out with. */
export function templateRoleOfKind(kind: OutageMessageKind): TemplateRole {
  return kind === OutageMessageKind.Resolved ? 'resolution' : 'notice';
}

/**
 * The template a notice's frozen parameters go out with: three are a resolution's. (A resolution
 * composed before the second template existed carries five and still goes out as it was shown.)
 */
export function templateRoleOf(parameters: string[]): TemplateRole {
  return parameters.length === parameterCount(RESOLUTION_TEMPLATE_BODY) ? 'resolution' : 'notice';
}

/** How many body parameters a template text has ({{1}} ... {{n}}). */
export function parameterCount(body: string): number {
  return new Set(body.match(/\{\{\d+\}\}/g) ?? []).size;
}

/** A template as it is registered with Meta: category UTILITY (a service alert), our body and its samples. */
export function templateDefinition(name: string, language: string, role: TemplateRole = 'notice') {
  const [text, example] = role === 'resolution' ? [RESOLUTION_TEMPLATE_BODY, RESOLUTION_TEMPLATE_EXAMPLE] : [TEMPLATE_BODY, TEMPLATE_EXAMPLE];
  return { name, language, category: 'UTILITY' as const, components: [{ type: 'BODY', text, example: { body_text: [example] } }] };
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

/** The severity a notice's frozen parameters carry (parameter 4 of a storing or update), or null (a resolution has none). */
export function severityOfParameters(parameters: string[]): OutageSeverity | null {
  if (templateRoleOf(parameters) === 'resolution') return null;
  const found = Object.entries(SEVERITY_LABEL).find(([, label]) => label === parameters[3]);
  return found ? (found[0] as OutageSeverity) : null;
}

/** An outage in one line for staff: "KPN internet · Utrecht, Noord-Holland · Hoog". */
export function outageTitle(outage: { service: OutageService; scope: OutageScope; regions: string[]; severity: OutageSeverity }): string {
  return `KPN ${SERVICE_LABEL[outage.service]} · ${areaLabel(outage.scope, outage.regions)} · ${SEVERITY_LABEL[outage.severity]}`;
}

/**
 * The body parameters in template order. A storing or an update: status, service, area,
 * severity, text (with the expected resolution time, when given). A resolution: service, area,
 * text, for its own template without the Impact line.
 */
export function buildTemplateParameters(content: NoticeContent): string[] {
  if (content.kind === OutageMessageKind.Resolved) {
    return [SERVICE_LABEL[content.service], areaLabel(content.scope, content.regions), content.text].map((p) => sanitizeParameter(p));
  }
  const text = content.expectedResolution ? `${content.text} Verwachte oplossing: ${content.expectedResolution}.` : content.text;
  return [
    STATUS_LABEL[content.kind],
    SERVICE_LABEL[content.service],
    areaLabel(content.scope, content.regions),
    SEVERITY_LABEL[content.severity],
    text,
  ].map((p) => sanitizeParameter(p));
}

/** Exactly what a subscriber reads: the template's body with the parameters filled in. */
export function renderNotice(parameters: string[]): string {
  return TEMPLATE_BODIES[templateRoleOf(parameters)].replace(/\{\{(\d)\}\}/g, (_m, n: string) => parameters[Number(n) - 1] ?? '');
}
