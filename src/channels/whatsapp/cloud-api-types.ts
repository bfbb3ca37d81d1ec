/** WhatsApp Cloud API payloads (docs/platform.md): what we send and what Graph answers. */

export interface TextMessageRequest {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'text';
  text: { body: string; preview_url: boolean };
}

export interface TemplateMessageRequest {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: {
    name: string;
    language: { code: string; policy: 'deterministic' };
    components: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
  biz_opaque_callback_data?: string;
}

export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
}

export type MessagesRequest = TextMessageRequest | TemplateMessageRequest | MarkReadRequest;

export interface SendResponse {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
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
