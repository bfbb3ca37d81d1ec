/** WhatsApp Cloud API payloads (docs/platform.md): what we send and what Graph answers. */

/**
 * Who a message goes to: `to` with the number, or `recipient` with the business-scoped user id
 * of a username user whose number we do not have (Meta: `to` wins when both are given).
 */
export type Recipient = { to: string; recipient?: never } | { recipient: string; to?: never };

export type TextMessageRequest = Recipient & {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  type: 'text';
  text: { body: string; preview_url: boolean };
};

export type TemplateMessageRequest = Recipient & {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  type: 'template';
  template: {
    name: string;
    language: { code: string; policy: 'deterministic' };
    components: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
  biz_opaque_callback_data?: string;
};

export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
}

export type MessagesRequest = TextMessageRequest | TemplateMessageRequest | MarkReadRequest;

/** Since v25 `contacts[].wa_id` may be missing (and `user_id` answers a send to a BSUID): only messages[0].id is read. */
export interface SendResponse {
  messaging_product: 'whatsapp';
  contacts?: { input: string; wa_id?: string; user_id?: string }[];
  messages: { id: string }[];
}

export interface GraphErrorBody {
  error: {
    message: string;
    type?: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product?: string; details?: string };
    fbtrace_id?: string;
  };
}
