/**
 * The Graph API calls about the account rather than messages (docs/platform.md (Templates and account state)): the phone
 * number's own fields, and the message templates of the WhatsApp Business Account (list and
 * create). Used by `npm run doctor`, `npm run template:sync` and the hourly look-up. Failures
 * are CloudApiErrors carrying Meta's code, like the sending client's.
 */
import type { GraphErrorBody } from './cloud-api-types';
import { classifyCloudApiError } from './cloud-api-errors';

export interface AccountApiSettings {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  businessAccountId: string | undefined;
  timeoutMs?: number;
}

export interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  /** The portfolio's messaging limit (v24+; replaces the deprecated messaging_limit_tier). */
  whatsapp_business_manager_messaging_limit?: unknown;
  throughput?: { level?: string };
  name_status?: string;
}

export interface TemplateComponent {
  type: string;
  text?: string;
  example?: { body_text?: string[][] };
}

export interface TemplateInfo {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: TemplateComponent[];
  rejected_reason?: string;
}

export interface NewTemplate {
  name: string;
  language: string;
  category: 'UTILITY';
  components: TemplateComponent[];
}

export const PHONE_NUMBER_FIELDS = 'id,display_phone_number,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,throughput,name_status';
const TEMPLATE_FIELDS = 'id,name,language,status,category,components,rejected_reason';

export class AccountApi {
  constructor(private readonly settings: AccountApiSettings) {}

  phoneNumber(): Promise<PhoneNumberInfo> {
    return this.call('GET', `${this.settings.phoneNumberId}?fields=${PHONE_NUMBER_FIELDS}`);
  }

  /** The templates of the business account with this name (one per language). */
  async templates(name: string): Promise<TemplateInfo[]> {
    const answer = await this.call<{ data: TemplateInfo[] }>('GET', `${this.businessAccount()}/message_templates?name=${encodeURIComponent(name)}&fields=${TEMPLATE_FIELDS}`);
    // Meta matches the name as a prefix; only the exact name is ours.
    return (answer.data ?? []).filter((t) => t.name === name);
  }

  createTemplate(template: NewTemplate): Promise<{ id: string; status: string; category: string }> {
    return this.call('POST', `${this.businessAccount()}/message_templates`, template);
  }

  private businessAccount(): string {
    if (!this.settings.businessAccountId) throw new Error('WHATSAPP_BUSINESS_ACCOUNT_ID is not set: templates belong to the WhatsApp Business Account');
    return this.settings.businessAccountId;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}/${this.settings.version}/${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${this.settings.accessToken}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw classifyCloudApiError(0, undefined, `cannot reach ${new URL(url).host} (${(error as Error).cause ? String(((error as Error).cause as Error).message ?? (error as Error).cause) : (error as Error).message})`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const error = (parsed as GraphErrorBody | undefined)?.error;
    throw classifyCloudApiError(res.status, error?.code, error?.error_data?.details ?? error?.message ?? `HTTP ${res.status}`, undefined, error?.error_subcode);
  }
}
