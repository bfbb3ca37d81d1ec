/**
 * The WhatsApp account's own state as it bears on sending notices: whether Meta lets the
 * outage template be sent (APPROVED), its category, the number's quality rating and the
 * messaging limit (unique recipients per 24 h, the business portfolio's). Meta reports changes
 * by webhook (message_template_status_update, template_category_update,
 * phone_number_quality_update, business_capability_update) and the hourly look-up reads them;
 * both land here, in whatsapp_state.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { WhatsAppState } from '../../entities';
import { pauseAllSending } from './notice-state';

type Db = DataSource | EntityManager;

export interface TemplateReport {
  name: string;
  language: string;
  /** Meta's template status or status event (APPROVED, PENDING, REJECTED, PAUSED ...). */
  status?: string;
  category?: string;
  reason?: string | null;
}

export interface NumberReport {
  qualityRating?: string;
  /** A tier (TIER_2K, TIER_UNLIMITED ...) or a number of recipients. */
  messagingLimit?: string;
}

export type AccountReport = { kind: 'template'; report: TemplateReport } | { kind: 'number'; report: NumberReport };

export interface AccountState {
  template: { status: string | null; category: string | null; reason: string | null; updatedAt: string } | null;
  number: { qualityRating: string | null; messagingLimit: string | null; updatedAt: string } | null;
}

/** Template statuses under which nothing may be sent. */
const BLOCKING = new Set(['PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'DELETED', 'PENDING_DELETION', 'ARCHIVED', 'IN_APPEAL']);
/** Events that describe the template again as sendable. */
const SENDABLE_AGAIN: Record<string, string> = { REINSTATED: 'APPROVED', UNPAUSED: 'APPROVED', UNARCHIVED: 'APPROVED' };
/** Events that say something about the template without changing whether it may be sent. */
const NOT_A_STATUS = new Set(['FLAGGED', 'LOCKED', 'UNLOCKED', 'LIMIT_EXCEEDED']);

/** Meta writes nl, en_US (API) or en-US (webhooks): one form for comparing. */
function languageKey(language: string): string {
  return language.trim().replace('-', '_').toLowerCase();
}

function templateKey(config: Config): string {
  return `${config.whatsapp.templateName}:${languageKey(config.whatsapp.templateLanguage)}`;
}

function numberKey(config: Config): string {
  return config.whatsapp.phoneNumberId;
}

export function isOurTemplate(config: Config, name: string, language: string): boolean {
  return name === config.whatsapp.templateName && languageKey(language) === languageKey(config.whatsapp.templateLanguage);
}

export async function readAccountState(db: Db, config: Config): Promise<AccountState> {
  const rows = await db.getRepository(WhatsAppState).find({ where: [{ subject: 'template', key: templateKey(config) }, { subject: 'number', key: numberKey(config) }] });
  const template = rows.find((r) => r.subject === 'template');
  const number = rows.find((r) => r.subject === 'number');
  return {
    template: template ? { status: template.status, category: template.category, reason: template.reason, updatedAt: template.updatedAt.toISOString() } : null,
    number: number ? { qualityRating: number.status, messagingLimit: number.messagingLimit, updatedAt: number.updatedAt.toISOString() } : null,
  };
}

/**
 * Records what Meta reported about our template (others of the account are ignored). A
 * template that can no longer be sent pauses every notice that is being sent, the way a
 * spam limit (131048) does; returns the ids of the notices paused.
 */
export async function recordTemplate(db: Db, config: Config, report: TemplateReport): Promise<string[]> {
  if (!isOurTemplate(config, report.name, report.language)) return [];
  const status = report.status && !NOT_A_STATUS.has(report.status) ? (SENDABLE_AGAIN[report.status] ?? report.status) : undefined;
  await db.query(
    `INSERT INTO whatsapp_state (subject, key, status, category, reason, updated_at) VALUES ('template', $1, $2, $3, $4, now())
     ON CONFLICT (subject, key) DO UPDATE SET status = coalesce($2, whatsapp_state.status), category = coalesce($3, whatsapp_state.category),
       reason = CASE WHEN $2::text IS NULL THEN whatsapp_state.reason ELSE $4 END, updated_at = now()`,
    [templateKey(config), status ?? null, report.category ?? null, status && status !== 'APPROVED' ? (report.reason ?? null)?.slice(0, 500) ?? null : null],
  );
  return status && BLOCKING.has(status) ? pauseAllSending(db) : [];
}

/** Records the number's quality rating and the portfolio's messaging limit, as far as reported. */
export async function recordNumber(db: Db, config: Config, report: NumberReport): Promise<void> {
  if (report.qualityRating === undefined && report.messagingLimit === undefined) return;
  await db.query(
    `INSERT INTO whatsapp_state (subject, key, status, messaging_limit, updated_at) VALUES ('number', $1, $2, $3, now())
     ON CONFLICT (subject, key) DO UPDATE SET status = coalesce($2, whatsapp_state.status), messaging_limit = coalesce($3, whatsapp_state.messaging_limit), updated_at = now()`,
    [numberKey(config), report.qualityRating ?? null, normaliseMessagingLimit(report.messagingLimit) ?? null],
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

/** Why nothing may be sent now, in Dutch for staff; null when the template may be sent (or nothing is known yet). */
export function templateBlock(state: AccountState, config: Config): string | null {
  const status = state.template?.status;
  if (!status || !BLOCKING.has(status)) return null;
  const name = config.whatsapp.templateName;
  const reason = state.template?.reason && state.template.reason !== 'NONE' ? ` (${state.template.reason})` : '';
  const what: Record<string, string> = {
    PENDING: `wacht nog op goedkeuring door Meta`,
    IN_APPEAL: `is afgewezen en in bezwaar bij Meta${reason}`,
    REJECTED: `is door Meta afgewezen${reason}`,
    PAUSED: `is door Meta gepauzeerd${reason}`,
    DISABLED: `is door Meta uitgeschakeld${reason}`,
  };
  return `Het WhatsApp-sjabloon ${name} ${what[status] ?? `heeft bij Meta de status ${status}${reason}`}. Zolang het niet is goedgekeurd, wordt er niets verstuurd; Team Techniek kan het controleren in WhatsApp Manager.`;
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
 * Unique recipients per 24 h the number's portfolio may reach with templates: the live tier
 * once Meta reported one, else WHATSAPP_MESSAGING_LIMIT. null: unlimited.
 */
export function messagingLimit(state: AccountState, config: Config): number | null {
  const reported = normaliseMessagingLimit(state.number?.messagingLimit);
  if (reported === undefined) return config.whatsapp.messagingLimit;
  return reported in TIERS ? TIERS[reported] : Number(reported);
}
