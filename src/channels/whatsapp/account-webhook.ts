/**
 * The webhook fields about the account rather than messages (docs/platform.md (Templates and account state)):
 * message_template_status_update, template_category_update and phone_number_quality_update,
 * read into reports for notices/whatsapp-account.ts. Changes of another business account, or
 * a quality change of another number of ours, are left alone.
 */
import { z } from 'zod';
import { normaliseMessagingLimit, type AccountReport } from '../../services/notices/whatsapp-account';
import type { WebhookBody } from './webhook-schema';

const templateStatus = z
  .object({
    event: z.string().min(1),
    message_template_name: z.string().min(1),
    message_template_language: z.string().min(1),
    message_template_category: z.string().optional(),
    reason: z.string().nullable().optional(),
    other_info: z.object({ title: z.string().optional(), description: z.string().optional() }).passthrough().optional(),
    rejection_info: z.object({ reason: z.string().optional(), recommendation: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

/**
 * Two forms (Meta's template_category_update reference, updated 11 Nov 2025): an announcement
 * (correct_category, with new_category the current one and category_update_timestamp when it
 * changes, 24 hours later), and the change done (previous_category, new_category).
 */
const templateCategory = z
  .object({
    message_template_name: z.string().min(1),
    message_template_language: z.string().min(1),
    new_category: z.string().min(1).max(40),
    correct_category: z.string().min(1).max(40).optional(),
    category_update_timestamp: z.number().int().min(0).max(4_102_444_800).optional(),
  })
  .passthrough();

const numberQuality = z
  .object({
    display_phone_number: z.string().optional(),
    event: z.string().optional(),
    /** Removed by Meta in February 2026; still read when an older payload carries it. */
    current_limit: z.string().optional(),
    max_daily_conversations_per_business: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

/** The portfolio's capabilities: the messaging limit as an integer, -1 = unlimited. */
const businessCapability = z
  .object({
    max_daily_conversations_per_business: z.union([z.string(), z.number()]).optional(),
    /** Removed by Meta in February 2026, replaced by the field above. */
    max_daily_conversation_per_phone: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

/** FLAGGED / UNFLAGGED are the webhook's only word on quality; the hourly look-up gives the rating itself. */
const QUALITY_EVENT: Record<string, string> = { FLAGGED: 'RED', UNFLAGGED: 'GREEN' };

function parse<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** +31 85 486 9699, 085 48 69 699 or 31854869699: the digits with the country code. */
function e164Digits(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.startsWith('00')) return digits.slice(2);
  return digits.startsWith('0') ? `31${digits.slice(1)}` : digits;
}

export interface AccountEvents {
  reports: AccountReport[];
  /** Changes of another business account under the same app: not ours, left alone. */
  foreign: number;
  /** Account changes that are not what Meta sends: skipped, the rest of the batch applied. */
  skipped: number;
}

/** ours.displayNumber: the number as Meta last displayed it; unknown, a quality event is not matched to it. */
export function extractAccountEvents(body: WebhookBody, ours: { businessAccountId: string | undefined; displayNumber: string | undefined }): AccountEvents {
  const events: AccountEvents = { reports: [], foreign: 0, skipped: 0 };
  if (body.object !== 'whatsapp_business_account') return events;
  for (const entry of body.entry) {
    const accountChanges = entry.changes.filter((c) => ACCOUNT_FIELDS.has(c.field));
    // Without our account id nothing can be matched: another account's events must never pause our sends.
    if (!ours.businessAccountId || entry.id !== ours.businessAccountId) {
      events.foreign += accountChanges.length;
      continue;
    }
    for (const change of accountChanges) {
      const report = readChange(change.field, change.value, ours.displayNumber);
      if (report) events.reports.push(report);
      else events.skipped += 1;
    }
  }
  return events;
}

const ACCOUNT_FIELDS = new Set(['message_template_status_update', 'template_category_update', 'phone_number_quality_update', 'business_capability_update']);

function readChange(field: string, value: unknown, displayNumber: string | undefined): AccountReport | undefined {
  if (field === 'message_template_status_update') {
    const v = parse(templateStatus, value);
    if (!v) return undefined;
    const reason = v.rejection_info?.reason ?? (v.reason && v.reason !== 'NONE' ? v.reason : v.other_info?.description) ?? null;
    return { kind: 'template', report: { name: v.message_template_name, language: v.message_template_language, status: v.event, category: v.message_template_category, reason } };
  }
  if (field === 'template_category_update') {
    const v = parse(templateCategory, value);
    if (!v) return undefined;
    // The change done (no correct_category) ends the announcement: null.
    const announcement = v.correct_category !== undefined ? { category: v.correct_category, at: v.category_update_timestamp !== undefined ? new Date(v.category_update_timestamp * 1000) : null } : null;
    return { kind: 'template', report: { name: v.message_template_name, language: v.message_template_language, category: v.new_category, announcement } };
  }
  if (field === 'business_capability_update') {
    const v = parse(businessCapability, value);
    const limit = v && normaliseMessagingLimit(v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone);
    return limit === undefined ? undefined : { kind: 'number', report: { messagingLimit: limit } };
  }
  const v = parse(numberQuality, value);
  if (!v) return undefined;
  // The messaging limit belongs to the business portfolio, shared by its numbers; the quality to one number.
  const ourNumber = v.display_phone_number !== undefined && displayNumber !== undefined && e164Digits(v.display_phone_number) === e164Digits(displayNumber);
  return { kind: 'number', report: { messagingLimit: normaliseMessagingLimit(v.max_daily_conversations_per_business ?? v.current_limit), qualityRating: ourNumber && v.event ? QUALITY_EVENT[v.event] : undefined } };
}
