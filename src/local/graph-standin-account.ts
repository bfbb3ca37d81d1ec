/**
 * The account part of the Graph API stand-in: the phone number's fields and the WhatsApp
 * Business Account's message templates (list, create), answering as Graph does, so
 * `npm run doctor`, `npm run template:sync` and the hourly look-up run their production code
 * against it. Tests set the number's fields and the templates' status as they need them.
 */
import { LOCAL_DISPLAY_NUMBER } from '../lib/local-whatsapp-number';
import { randomInt } from 'node:crypto';
import { parameterCount } from '../services/notices/notice-template';
import type { PhoneNumberInfo, TemplateComponent, TemplateInfo } from '../channels/whatsapp/account-api';

export interface StandInAccount {
  businessAccountId: string;
  phoneNumber: PhoneNumberInfo;
  templates: TemplateInfo[];
  /** The status a template created through the API gets (Meta: PENDING until reviewed). */
  createdStatus: string;
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Graph's error body. With subcode 33 ("Object with ID … does not exist": a wrong id in the URL)
 * Graph answers a GraphMethodException with the subcode and no error_data.
 */
export function graphError(status: number, code: number, message: string, details?: string, subcode?: number): Answer {
  const fbtrace_id = `A${randomInt(1e9)}`;
  if (subcode !== undefined) return { status, body: { error: { message, type: 'GraphMethodException', code, error_subcode: subcode, fbtrace_id } } };
  return { status, body: { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: details ?? message }, fbtrace_id } } };
}

/** What Graph says about an id in the URL that is not there (or not ours): code 100, subcode 33. */
export function noSuchObject(status: number, method: string, object: string): Answer {
  return graphError(status, 100, `Unsupported ${method.toLowerCase()} request. Object with ID '${object}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`, undefined, 33);
}

export function defaultAccount(phoneNumberId: string): StandInAccount {
  return {
    businessAccountId: '100000000000001',
    phoneNumber: {
      id: phoneNumberId,
      display_phone_number: LOCAL_DISPLAY_NUMBER,
      verified_name: 'CBG Connect',
      quality_rating: 'GREEN',
      whatsapp_business_manager_messaging_limit: 'TIER_2K',
      throughput: { level: 'STANDARD' },
      name_status: 'APPROVED',
    },
    templates: [],
    createdStatus: 'PENDING',
  };
}

/** A new template as Meta checks it; undefined when acceptable. */
function invalidTemplate(account: StandInAccount, body: Partial<TemplateInfo>): Answer | undefined {
  if (typeof body.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name)) return graphError(400, 100, 'Invalid parameter', 'name must be lowercase letters, digits and underscores');
  if (typeof body.language !== 'string' || body.language === '') return graphError(400, 100, 'Invalid parameter', 'language is required');
  if (!['UTILITY', 'MARKETING', 'AUTHENTICATION'].includes(String(body.category))) return graphError(400, 100, 'Invalid parameter', 'category must be UTILITY, MARKETING or AUTHENTICATION');
  const bodyComponent = (body.components ?? []).find((c: TemplateComponent) => c.type === 'BODY');
  if (!bodyComponent?.text) return graphError(400, 100, 'Invalid parameter', 'a BODY component with text is required');
  const count = parameterCount(bodyComponent.text);
  if (count > 0 && bodyComponent.example?.body_text?.[0]?.length !== count) return graphError(400, 100, 'Invalid parameter', `the body has ${count} variables: example.body_text needs ${count} sample values`);
  if (account.templates.some((t) => t.name === body.name && t.language === body.language)) return graphError(400, 100, 'Invalid parameter', 'Content in this language already exists');
  return undefined;
}

/** Answers a request about the account, or undefined when it is not one (a message send). */
export function answerAccountRequest(account: StandInAccount, method: string, url: URL, body: unknown): Answer | undefined {
  const [, , object, edge] = url.pathname.split('/');
  if (method === 'GET' && object === account.phoneNumber.id && edge === undefined) return { status: 200, body: account.phoneNumber };
  if (edge !== 'message_templates') return undefined;
  if (object !== account.businessAccountId) return noSuchObject(400, method, object);
  if (method === 'GET') {
    const name = url.searchParams.get('name') ?? '';
    return { status: 200, body: { data: account.templates.filter((t) => t.name.startsWith(name)), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } };
  }
  if (method === 'POST') {
    const template = (body ?? {}) as Partial<TemplateInfo>;
    const problem = invalidTemplate(account, template);
    if (problem) return problem;
    const created: TemplateInfo = { id: String(randomInt(1e12, 2 ** 47)), name: template.name!, language: template.language!, status: account.createdStatus, category: template.category!, components: template.components! };
    account.templates.push(created);
    return { status: 200, body: { id: created.id, status: created.status, category: created.category } };
  }
  return undefined;
}
