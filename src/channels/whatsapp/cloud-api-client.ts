/**
 * The WhatsApp Cloud API client: send text, send the outage template, mark as read. One
 * keep-alive agent with many sockets, because the dispatcher keeps many sends in flight.
 * Every failure becomes a CloudApiError the caller can act on (retry / give up / stop).
 */
import http from 'node:http';
import https from 'node:https';
import type { MessagesRequest, Recipient, SendResponse, GraphErrorBody } from './cloud-api-types';
import { isBusinessScopedUserId } from '../../services/registry/contact';
import type { TemplateSender } from '../../services/dispatcher/sender';
import { classifyCloudApiError, parseRetryAfter, CloudApiError } from './cloud-api-errors';
import { templateRoleOf } from '../../services/notices/notice-template';

export interface CloudApiSettings {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  templateName: string;
  /** The resolution's template: a notice with its three parameters goes out with it (notice-template.ts). */
  resolvedTemplateName?: string;
  templateLanguage: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  maxSockets?: number;
}

export class CloudApiClient implements TemplateSender {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly timeoutMs: number;

  constructor(private readonly settings: CloudApiSettings) {
    this.url = new URL(`${settings.baseUrl.replace(/\/+$/, '')}/${settings.version}/${settings.phoneNumberId}/messages`);
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: settings.maxSockets ?? 256, maxFreeSockets: 256 });
    this.timeoutMs = settings.timeoutMs ?? 10_000;
  }

  /** Free text; only allowed inside the 24 h window after the user's last message. `to`: a number or a BSUID. */
  async sendText(to: string, body: string): Promise<{ id: string }> {
    return this.send({ messaging_product: 'whatsapp', recipient_type: 'individual', ...recipient(to), type: 'text', text: { body: body.slice(0, 4096), preview_url: false } });
  }

  /** The approved outage template (or the resolution's) with its body parameters in order. `to`: a number or a BSUID. */
  async sendTemplate(to: string, parameters: string[], options: { opaque?: string } = {}): Promise<{ id: string }> {
    const name = templateRoleOf(parameters) === 'resolution' && this.settings.resolvedTemplateName ? this.settings.resolvedTemplateName : this.settings.templateName;
    return this.send({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...recipient(to),
      type: 'template',
      template: {
        name,
        language: { code: this.settings.templateLanguage, policy: 'deterministic' },
        components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text' as const, text })) }],
      },
      ...(options.opaque ? { biz_opaque_callback_data: options.opaque } : {}),
    });
  }

  async markRead(messageId: string): Promise<void> {
    await this.post({ messaging_product: 'whatsapp', status: 'read', message_id: messageId });
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(request: MessagesRequest): Promise<{ id: string }> {
    const answer = (await this.post(request)) as SendResponse;
    const id = answer?.messages?.[0]?.id;
    if (typeof id !== 'string') throw new CloudApiError(200, undefined, 'answer without a message id', 'retryable', 'message');
    return { id };
  }

  private post(request: MessagesRequest): Promise<unknown> {
    const body = Buffer.from(JSON.stringify(request));
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { Authorization: `Bearer ${this.settings.accessToken}`, 'Content-Type': 'application/json', 'Content-Length': body.length },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => reject(classifyCloudApiError(0, undefined, 'connection lost while reading the answer')));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            if (status >= 200 && status < 300) return resolve(parsed);
            const error = (parsed as GraphErrorBody | undefined)?.error;
            reject(classifyCloudApiError(status, error?.code, error?.error_data?.details ?? error?.message ?? `HTTP ${status}`, parseRetryAfter(res.headers['retry-after']), error?.error_subcode));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(classifyCloudApiError(0, undefined, error.message === 'timeout' ? `no answer within ${this.timeoutMs} ms` : `connection failed (${error.code ?? error.message})`));
      });
      req.end(body);
    });
  }
}

/** A number goes in `to`, a business-scoped user id in `recipient` (Meta, "Business-scoped user IDs"). */
function recipient(address: string): Recipient {
  return isBusinessScopedUserId(address) ? { recipient: address } : { to: address };
}
