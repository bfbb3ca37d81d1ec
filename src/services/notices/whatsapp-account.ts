/**
 * The WhatsApp account's own state as it bears on sending notices: whether Meta lets each of
 * the two templates be sent (APPROVED; the notice's, and the resolution's), their categories, the number's quality rating and the
 * messaging limit (unique recipients per 24 h, the business portfolio's). Meta reports changes
 * by webhook (message_template_status_update, template_category_update,
 * phone_number_quality_update, business_capability_update) and the hourly look-up reads them;
 * both land here, in whatsapp_state.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { numberStateKey, WhatsAppState } from '../../entities';
import { pauseAllSending } from './notice-lifecycle';
import type { TemplateRole } from './notice-template';

type Db = DataSource | EntityManager;

export interface TemplateReport {
  name: string;
  language: string;
  /** Meta's template status or status event (APPROVED, PENDING, REJECTED, PAUSED ...). */
  status?: string;
  category?: string;
  reason?: string | null;
  /**
   * A recategorisation Meta announced (category, and when it takes effect); null when a report
   * says the category as it now is (the change done, or the hourly look-up), which ends any
   * announcement; undefined when the report says nothing about it.
   */
  announcement?: { category: string; at: Date | null } | null;
}

export interface NumberReport {
  qualityRating?: string;
  /** A tier (TIER_2K, TIER_UNLIMITED ...) or a number of recipients. */
  messagingLimit?: string;
  /** The number as Meta displays it (the hourly look-up). */
  displayNumber?: string;
}

export type AccountReport = { kind: 'template'; report: TemplateReport } | { kind: 'number'; report: NumberReport };

export interface TemplateState {
  status: string | null;
  category: string | null;
  reason: string | null;
  announcedCategory: string | null;
  announcedCategoryAt: string | null;
  updatedAt: string;
}

export interface AccountState {
  /** The notice template's (storing, update). */
  template: TemplateState | null;
  /** The resolution template's (Opgelost). */
  resolutionTemplate: TemplateState | null;
  number: { qualityRating: string | null; messagingLimit: string | null; displayNumber: string | null; updatedAt: string } | null;
}

/**
 * Template statuses under which nothing may be sent. MISSING is ours: the hourly look-up found
 * no such template at Meta (npm run template:sync creates it).
 */
const BLOCKING = new Set(['PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'DELETED', 'PENDING_DELETION', 'ARCHIVED', 'IN_APPEAL', 'MISSING']);
/** Events that describe the template again as sendable. */
const SENDABLE_AGAIN: Record<string, string> = { REINSTATED: 'APPROVED', UNPAUSED: 'APPROVED', UNARCHIVED: 'APPROVED' };
/** Events that say something about the template without changing whether it may be sent. */
const NOT_A_STATUS = new Set(['FLAGGED', 'LOCKED', 'UNLOCKED', 'LIMIT_EXCEEDED']);

/** Meta writes nl, en_US (API) or en-US (webhooks): one form for comparing. */
function languageKey(language: string): string {
  return language.trim().replace('-', '_').toLowerCase();
}

/** The configured name of a template. */
export function templateName(config: Config, role: TemplateRole): string {
  return role === 'resolution' ? config.whatsapp.resolvedTemplateName : config.whatsapp.templateName;
}

function templateKey(config: Config, role: TemplateRole): string {
  return `${templateName(config, role)}:${languageKey(config.whatsapp.templateLanguage)}`;
}

function numberKey(config: Config): string {
  return numberStateKey(config.whatsapp.phoneNumberId);
}

/** Which of our templates a name and language are, or null for another of the account's. */
export function ourTemplateRole(config: Config, name: string, language: string): TemplateRole | null {
  if (languageKey(language) !== languageKey(config.whatsapp.templateLanguage)) return null;
  return name === config.whatsapp.templateName ? 'notice' : name === config.whatsapp.resolvedTemplateName ? 'resolution' : null;
}

export function isOurTemplate(config: Config, name: string, language: string): boolean {
  return ourTemplateRole(config, name, language) !== null;
}

export async function readAccountState(db: Db, config: Config): Promise<AccountState> {
  const rows = await db.getRepository(WhatsAppState).find({
    where: [{ subject: 'template', key: templateKey(config, 'notice') }, { subject: 'template', key: templateKey(config, 'resolution') }, { subject: 'number', key: numberKey(config) }],
  });
  const templateState = (role: TemplateRole): TemplateState | null => {
    const row = rows.find((r) => r.subject === 'template' && r.key === templateKey(config, role));
    return row ? { status: row.status, category: row.category, reason: row.reason, announcedCategory: row.announcedCategory, announcedCategoryAt: row.announcedCategoryAt?.toISOString() ?? null, updatedAt: row.updatedAt.toISOString() } : null;
  };
  const number = rows.find((r) => r.subject === 'number');
  return {
    template: templateState('notice'),
    resolutionTemplate: templateState('resolution'),
    number: number ? { qualityRating: number.status, messagingLimit: number.messagingLimit, displayNumber: number.displayNumber, updatedAt: number.updatedAt.toISOString() } : null,
  };
}

/** Outage notices are service alerts: Meta's UTILITY category. Anything else is billed and opted out of as marketing. */
export const NOTICE_CATEGORY = 'UTILITY';

/** What to do when Meta files the template under another category (doctor, template:sync). */
export const CATEGORY_FIX =
  "appeal the category in WhatsApp Manager > Message templates (the body is a service alert about the customer's own line), or create a new utility template under another name (WHATSAPP_TEMPLATE_NAME, then npm run template:sync)";

/**
 * Records what Meta reported about one of our templates (others of the account are ignored). A
 * template that can no longer be sent as a utility message (a blocking status, or another
 * category) pauses every notice being sent with it, the way a spam limit (131048) does;
 * returns the ids of the notices paused.
 */
export async function recordTemplate(db: Db, config: Config, report: TemplateReport): Promise<string[]> {
  const role = ourTemplateRole(config, report.name, report.language);
  if (!role) return [];
  const status = report.status && !NOT_A_STATUS.has(report.status) ? (SENDABLE_AGAIN[report.status] ?? report.status) : undefined;
  // An announcement is kept until the change is reported done (or the category already is the announced one).
  const announcementKnown = report.announcement !== undefined;
  await db.query(
    `INSERT INTO whatsapp_state (subject, key, status, category, reason, announced_category, announced_category_at, updated_at) VALUES ('template', $1, $2, $3, $4, $6, $7, now())
     ON CONFLICT (subject, key) DO UPDATE SET status = coalesce($2, whatsapp_state.status), category = coalesce($3, whatsapp_state.category),
       reason = CASE WHEN $2::text IS NULL THEN whatsapp_state.reason ELSE $4 END,
       announced_category = CASE WHEN $5 THEN $6 WHEN $3 = whatsapp_state.announced_category THEN NULL ELSE whatsapp_state.announced_category END,
       announced_category_at = CASE WHEN $5 THEN $7::timestamptz WHEN $3 = whatsapp_state.announced_category THEN NULL ELSE whatsapp_state.announced_category_at END,
       updated_at = now()`,
    [
      templateKey(config, role),
      status ?? null,
      report.category ?? null,
      status && status !== 'APPROVED' ? (report.reason ?? null)?.slice(0, 500) ?? null : null,
      announcementKnown,
      report.announcement?.category ?? null,
      report.announcement?.at?.toISOString() ?? null,
    ],
  );
  const blocked = (status !== undefined && BLOCKING.has(status)) || (report.category !== undefined && report.category !== NOTICE_CATEGORY);
  return blocked ? pauseAllSending(db, { scope: 'template', code: null }, role) : [];
}

/** Records the number's quality rating, display form and the portfolio's messaging limit, as far as reported. */
export async function recordNumber(db: Db, config: Config, report: NumberReport): Promise<void> {
  const displayNumber = report.displayNumber?.trim().slice(0, 40) || undefined;
  if (report.qualityRating === undefined && report.messagingLimit === undefined && displayNumber === undefined) return;
  await db.query(
    `INSERT INTO whatsapp_state (subject, key, status, messaging_limit, display_number, updated_at) VALUES ('number', $1, $2, $3, $4, now())
     ON CONFLICT (subject, key) DO UPDATE SET status = coalesce($2, whatsapp_state.status), messaging_limit = coalesce($3, whatsapp_state.messaging_limit),
       display_number = coalesce($4, whatsapp_state.display_number), updated_at = now()`,
    [numberKey(config), report.qualityRating ?? null, normaliseMessagingLimit(report.messagingLimit) ?? null, displayNumber ?? null],
  );
}

/** Records reports in order; returns the ids of the notices paused because the template may no longer be sent. */
export async function recordAccountReports(db: Db, config: Config, reports: AccountReport[]): Promise<string[]> {
  const paused: string[] = [];
  for (const r of reports) {
    if (r.kind === 'template') paused.push(...(await recordTemplate(db, config, r.report)));
    else await recordNumber(db, config, r.report);
  }
  return paused;
}

/**
 * Why nothing may be sent with a template now, in Dutch for staff; null when it may be sent (or
 * nothing is known of it yet: the look-up at start and every hour reports it).
 */
export function templateBlock(state: AccountState, config: Config, role: TemplateRole = 'notice'): string | null {
  const template = role === 'resolution' ? state.resolutionTemplate : state.template;
  const status = template?.status;
  const name = templateName(config, role);
  const category = template?.category;
  const what = role === 'resolution' ? 'Opgelost-berichten' : 'Storingsmeldingen';
  if (category && category !== NOTICE_CATEGORY && !(status && BLOCKING.has(status))) {
    return (
      `Meta heeft het WhatsApp-sjabloon ${name} ingedeeld als ${category} in plaats van UTILITY. ${what} worden daarom niet verstuurd: ` +
      `als ${category.toLowerCase()}bericht worden ze anders gefactureerd en mogen klanten ze als reclame weigeren. ` +
      'Team Techniek: ga in WhatsApp Manager in bezwaar tegen de indeling, of laat een nieuw utility-sjabloon goedkeuren (npm run template:sync).'
    );
  }
  if (!status || !BLOCKING.has(status)) return null;
  const reason = template?.reason && template.reason !== 'NONE' ? ` (${template.reason})` : '';
  if (status === 'MISSING') {
    return `Het WhatsApp-sjabloon ${name} bestaat nog niet bij Meta. Zolang het niet is goedgekeurd, worden ${role === 'resolution' ? 'Opgelost-berichten' : 'storingsmeldingen'} niet verstuurd; Team Techniek: maak het aan met npm run template:sync en wacht op de goedkeuring.`;
  }
  const statusText: Record<string, string> = {
    PENDING: `wacht nog op goedkeuring door Meta`,
    IN_APPEAL: `is afgewezen en in bezwaar bij Meta${reason}`,
    REJECTED: `is door Meta afgewezen${reason}`,
    PAUSED: `is door Meta gepauzeerd${reason}`,
    DISABLED: `is door Meta uitgeschakeld${reason}`,
  };
  const after =
    role === 'resolution'
      ? 'worden Opgelost-berichten niet verstuurd; Team Techniek kan het controleren in WhatsApp Manager (npm run template:sync toont de status).'
      : 'wordt er niets verstuurd; Team Techniek kan het controleren in WhatsApp Manager.';
  return `Het WhatsApp-sjabloon ${name} ${statusText[status] ?? `heeft bij Meta de status ${status}${reason}`}. Zolang het niet is goedgekeurd, ${after}`;
}

/** A recategorisation Meta announced, in Dutch for staff (preview and tab); null when none is pending. */
export function templateAnnouncement(state: AccountState, config: Config, now: Date): string | null {
  const announced = state.template?.announcedCategory;
  if (!announced || announced === state.template?.category) return null;
  const at = state.template?.announcedCategoryAt;
  // Meta changes the category 24 hours after announcing it: two days on, the look-up has said how it went.
  if (at && now.getTime() - new Date(at).getTime() > 2 * 24 * 3600 * 1000) return null;
  const when = at ? `op ${new Date(at).toLocaleString('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long', timeStyle: 'short' })}` : 'binnenkort';
  const effect = announced === NOTICE_CATEGORY ? '' : ' Vanaf dan worden storingsmeldingen niet meer verstuurd tot de indeling weer UTILITY is (bezwaar in WhatsApp Manager, of een nieuw utility-sjabloon).';
  return `Meta deelt het WhatsApp-sjabloon ${config.whatsapp.templateName} ${when} opnieuw in als ${announced}.${effect}`;
}

const TIERS: Record<string, number | null> = { TIER_50: 50, TIER_250: 250, TIER_1K: 1000, TIER_2K: 2000, TIER_10K: 10_000, TIER_100K: 100_000, TIER_UNLIMITED: null, UNLIMITED: null };

/**
 * A messaging limit as Meta reports it, in one stored form: a tier name (TIER_2K, from the
 * phone number's whatsapp_business_manager_messaging_limit) or a number of recipients (from
 * the webhooks' max_daily_conversations_per_business), where -1 means unlimited
 * (docs/platform.md). Anything else is not a limit: undefined.
 */
export function normaliseMessagingLimit(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value === -1 ? 'TIER_UNLIMITED' : value >= 0 ? String(value) : undefined;
  if (typeof value === 'string') {
    const text = value.trim().toUpperCase();
    if (/^-?\d+$/.test(text)) return normaliseMessagingLimit(Number(text));
    return text in TIERS ? text : undefined;
  }
  if (value && typeof value === 'object') {
    // The look-up may answer an object: its current limit is what counts.
    const inner = (value as { current_limit?: unknown; max_daily_conversations_per_business?: unknown }).current_limit ?? (value as { max_daily_conversations_per_business?: unknown }).max_daily_conversations_per_business;
    return normaliseMessagingLimit(inner);
  }
  return undefined;
}

/**
 * The limit assumed until Meta reports one (the look-up at start normally has by the first
 * notice): a new business portfolio's first tier after verification.
 */
export const ASSUMED_MESSAGING_LIMIT = 2000;

/**
 * Unique recipients per 24 h the number's portfolio may reach with templates: the live tier
 * once Meta reported one, else ASSUMED_MESSAGING_LIMIT. null: unlimited.
 */
export function messagingLimit(state: AccountState): number | null {
  const reported = normaliseMessagingLimit(state.number?.messagingLimit);
  if (reported === undefined) return ASSUMED_MESSAGING_LIMIT;
  return reported in TIERS ? TIERS[reported] : Number(reported);
}
