/**
 * The webhook bodies Meta sends (docs/platform.md), as zod schemas. Only what we use is
 * required; unknown fields pass, so new Meta fields never turn a good delivery into a 400.
 */
import { z } from 'zod';

const unixSeconds = z.string().regex(/^\d{1,12}$/, 'timestamp must be unix seconds');

const metaError = z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).passthrough().optional() }).passthrough();

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

export const webhookSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          id: z.string(),
          changes: z.array(
            z
              .object({
                field: z.string(),
                value: z
                  .object({
                    messaging_product: z.string().optional(),
                    metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).passthrough().optional(),
                    contacts: z.array(z.object({ wa_id: z.string() }).passthrough()).optional(),
                    messages: z.array(inboundMessageSchema).optional(),
                    statuses: z.array(statusSchema).optional(),
                    errors: z.array(metaError).optional(),
                  })
                  .passthrough(),
              })
              .passthrough(),
          ),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export type WebhookBody = z.infer<typeof webhookSchema>;
export type InboundWebhookMessage = z.infer<typeof inboundMessageSchema>;
export type WebhookStatus = z.infer<typeof statusSchema>;
