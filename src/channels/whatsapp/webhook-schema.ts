/**
 * The webhook bodies Meta sends (docs/platform.md), as zod schemas. Only what we use is
 * required; unknown fields pass, so new Meta fields never turn a good delivery into a 400.
 * The envelope is checked as a whole; each message and status on its own (webhook.ts), so one
 * malformed entry in a batch is skipped instead of costing the batch (Meta would redeliver a
 * 400 for days, and every good event in it with it).
 */
import { z } from 'zod';
import { BSUID_PATTERN, PHONE_PATTERN } from '../../services/registry/contact';

/** Unix seconds up to the year 2100: a larger value is no WhatsApp event and no valid timestamptz. */
const unixSeconds = z
  .string()
  .regex(/^\d{1,10}$/, 'timestamp must be unix seconds')
  .refine((v) => Number(v) <= 4_102_444_800, 'timestamp must be unix seconds before 2100');

/** Meta's error codes are whole numbers (stored as int). */
const errorCode = z.number().int().min(0).max(2_147_483_647);

const metaError = z.object({ code: errorCode, title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).passthrough().optional() }).passthrough();

const waId = z.string().regex(PHONE_PATTERN, 'must be a WhatsApp id (digits)');
/** A business-scoped user id (docs/platform.md A3). */
const userId = z.string().regex(BSUID_PATTERN, 'must be a business-scoped user id');

/**
 * A username user's message may come without `from` (the number), with `from_user_id` (the
 * BSUID) only; older payloads have `from` only. One of the two is needed to know who wrote.
 */
export const inboundMessageSchema = z
  .object({
    from: waId.optional(),
    from_user_id: userId.optional(),
    id: z.string().min(1).max(128),
    timestamp: unixSeconds,
    type: z.string().min(1),
    text: z.object({ body: z.string() }).passthrough().optional(),
    button: z.object({ text: z.string() }).passthrough().optional(),
    interactive: z.unknown().optional(),
    errors: z.array(metaError).optional(),
  })
  .passthrough()
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, 'a message needs from or from_user_id');

/**
 * Meta's system messages about a user's identity (docs/platform.md A4; the system messages
 * webhook reference, 11 August 2026): user_changed_number (from: the old number; system.wa_id:
 * the new one) and user_changed_user_id (system.user_id: the new BSUID), each with the previous
 * ids (previous_user_id, previous_parent_user_id). Other system types are read and ignored.
 */
export const systemMessageSchema = z
  .object({
    from: waId.optional(),
    from_user_id: userId.optional(),
    id: z.string().min(1).max(128),
    timestamp: unixSeconds,
    type: z.literal('system'),
    system: z
      .object({
        type: z.string().max(64),
        wa_id: waId.optional(),
        user_id: userId.optional(),
        previous_user_id: userId.optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** The contacts block beside messages: links a BSUID to the number when Meta shares both. */
export const contactSchema = z.object({ wa_id: waId.optional(), user_id: userId.optional() }).passthrough();

/** Meta's pricing block on a status (billed per delivered message since July 2025). */
const pricing = z
  .object({ billable: z.boolean().optional(), pricing_model: z.string().max(40).optional(), category: z.string().max(40).optional(), type: z.string().max(40).optional() })
  .passthrough();

export const statusSchema = z
  .object({
    id: z.string().min(1).max(128),
    status: z.string().min(1),
    timestamp: unixSeconds,
    recipient_id: z.string().optional(),
    recipient_user_id: z.string().optional(),
    pricing: pricing.optional(),
    biz_opaque_callback_data: z.string().optional(),
    errors: z.array(metaError).optional(),
  })
  .passthrough();

/**
 * What a change of the messages field carries that we use. Contacts are read one by one (a
 * malformed one only loses its link between number and BSUID); errors and anything new are
 * not read.
 */
export const messagesValueSchema = z
  .object({
    metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).passthrough().optional(),
    // Checked one by one (inboundMessageSchema, statusSchema) in webhook.ts.
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
    contacts: z.array(z.unknown()).optional(),
  })
  .passthrough();

/** The envelope only: each change's value is checked on its own, by the part that reads its field. */
export const webhookSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          id: z.string(),
          changes: z.array(z.object({ field: z.string(), value: z.unknown() }).passthrough()),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export type WebhookBody = z.infer<typeof webhookSchema>;
export type InboundWebhookMessage = z.infer<typeof inboundMessageSchema>;
export type WebhookStatus = z.infer<typeof statusSchema>;
