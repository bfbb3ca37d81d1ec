/**
 * The webhook fields about the account rather than messages (docs/platform.md (Templates and account state)):
 * message_template_status_update, template_category_update and phone_number_quality_update,
 * read into reports for notices/whatsapp-account.ts. Changes of another business account, or
 * a quality change of another number of ours, are left alone.
 */
import { z } from 'zod';
import { ValidationError } from '../../http/errors';
import type { AccountReport } from '../../services/notices/whatsapp-account';
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

const templateCategory = z
  .object({ message_template_name: z.string().min(1), message_template_language: z.string().min(1), new_category: z.string().min(1) })
  .passthrough();

const numberQuality = z
  .object({
    display_phone_number: z.string().optional(),
    event: z.string().optional(),
    current_limit: z.string().optional(),
    max_daily_conversations_per_business: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

/** FLAGGED / UNFLAGGED are the webhook's only word on quality; the hourly look-up gives the rating itself. */
const QUALITY_EVENT: Record<string, string> = { FLAGGED: 'RED', UNFLAGGED: 'GREEN' };

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ValidationError(`body is not a WhatsApp webhook: ${field}.${first.path.join('.')}: ${first.message}`);
  }
  return parsed.data;
}

/** +31 85 486 9699, 085 48 69 699 or 31854869699: the digits with the country code. */
function e164Digits(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.startsWith('00')) return digits.slice(2);
  return digits.startsWith('0') ? `31${digits.slice(1)}` : digits;
}

export function extractAccountEvents(body: WebhookBody, ours: { businessAccountId: string | undefined; displayNumber: string }): AccountReport[] {
  const events: AccountReport[] = [];
  if (body.object !== 'whatsapp_business_account') return events;
  for (const entry of body.entry) {
    if (ours.businessAccountId && entry.id !== ours.businessAccountId) continue;
    for (const change of entry.changes) {
      if (change.field === 'message_template_status_update') {
        const v = parse(templateStatus, change.value, change.field);
        const reason = v.rejection_info?.reason ?? (v.reason && v.reason !== 'NONE' ? v.reason : v.other_info?.description) ?? null;
        events.push({ kind: 'template', report: { name: v.message_template_name, language: v.message_template_language, status: v.event, category: v.message_template_category, reason } });
      } else if (change.field === 'template_category_update') {
        const v = parse(templateCategory, change.value, change.field);
        events.push({ kind: 'template', report: { name: v.message_template_name, language: v.message_template_language, category: v.new_category } });
      } else if (change.field === 'phone_number_quality_update') {
        const v = parse(numberQuality, change.value, change.field);
        // The messaging limit belongs to the business portfolio, shared by its numbers; the quality to one number.
        const ourNumber = v.display_phone_number !== undefined && e164Digits(v.display_phone_number) === e164Digits(ours.displayNumber);
        const limit = v.max_daily_conversations_per_business ?? v.current_limit;
        events.push({ kind: 'number', report: { messagingLimit: limit === undefined ? undefined : String(limit), qualityRating: ourNumber && v.event ? QUALITY_EVENT[v.event] : undefined } });
      }
    }
  }
  return events;
}
