/**
 * The webhook bodies Meta sends (docs/platform.md), as zod schemas. Only what we use is
 * required; unknown fields pass, so new Meta fields never turn a good delivery into a 400.
 * The envelope is checked as a whole; each message and status on its own (webhook.ts), so one
 * malformed entry in a batch is skipped instead of costing the batch (Meta would redeliver a
 * 400 for days, and every good event in it with it).
 */
import { z } from 'zod';

/** Unix seconds up to the year 2100: a larger value is no WhatsApp event and no valid timestamptz. */
const unixSeconds = z
  .string()
  .regex(/^\d{1,10}$/, 'timestamp must be unix seconds')
  .refine((v) => Number(v) <= 4_102_444_800, 'timestamp must be unix seconds before 2100');

/** Meta's error codes are whole numbers (stored as int). */
const errorCode = z.number().int().min(0).max(2_147_483_647);

const metaError = z.object({ code: errorCode, title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).passthrough().optional() }).passthrough();

export const inboundMessageSchema = z
  .object({
    from: z.string().regex(/^\d{6,15}$/, 'from must be a WhatsApp id (digits)'),
    id: z.string().min(1).max(128),
    timestamp: unixSeconds,
    type: z.string().min(1),
    text: z.object({ body: z.string() }).passthrough().optional(),
    button: z.object({ text: z.string() }).passthrough().optional(),
    interactive: z.unknown().optional(),
    errors: z.array(metaError).optional(),
  })
  .passthrough();

export const statusSchema = z
  .object({
    id: z.string().min(1).max(128),
    status: z.string().min(1),
    timestamp: unixSeconds,
    recipient_id: z.string().optional(),
    biz_opaque_callback_data: z.string().optional(),
    errors: z.array(metaError).optional(),
  })
  .passthrough();

/**
 * What a change of the messages field carries that we use. Contacts, errors and anything new
 * are not read (a contact without wa_id, as a username user's is, must not cost the batch).
 */
export const messagesValueSchema = z
  .object({
    metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).passthrough().optional(),
    // Checked one by one (inboundMessageSchema, statusSchema) in webhook.ts.
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
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
