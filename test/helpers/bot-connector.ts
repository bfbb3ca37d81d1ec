/**
 * A local Bot Connector: the service the bot replies to (activity.serviceUrl). Records
 * POST /v3/conversations/{id}/activities[/{replyToId}] and PUT .../activities/{id} (updateActivity),
 * answering like the real connector ({ id }).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  body: { type?: string; text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[]; id?: string };
}

export class BotConnectorStandIn {
  readonly calls: ConnectorCall[] = [];
  private server: http.Server | undefined;
  private sequence = 0;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.calls.push({ method: req.method ?? '', path: req.url ?? '', body: text ? (JSON.parse(text) as ConnectorCall['body']) : {} });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: `activity-${++this.sequence}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Cards the bot sent (posted or updated), newest last. */
  cards(): Record<string, unknown>[] {
    return this.calls.flatMap((c) => (c.body.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content));
  }
}

let activitySeq = 0;

/** A Teams message activity as the connector posts it to /api/messages. */
export function teamsMessage(serviceUrl: string, text: string, options: { aadObjectId?: string; tenantId?: string; value?: Record<string, unknown>; conversationType?: 'personal' | 'groupChat' | 'channel' } = {}) {
  return {
    type: 'message',
    id: `incoming-${++activitySeq}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:staff-user', name: 'Sanne', aadObjectId: options.aadObjectId ?? 'staff-aad-1' },
    conversation: { id: 'a:conversation-1', conversationType: options.conversationType ?? 'personal', tenantId: options.tenantId ?? 'tenant-cbg' },
    recipient: { id: '28:storingsmelder-bot', name: 'Storingsmelder' },
    channelData: { tenant: { id: options.tenantId ?? 'tenant-cbg' } },
    text,
    ...(options.value ? { value: options.value } : {}),
  };
}

/** The invoke Teams sends for an Action.Execute click, or (trigger automatic) for a card's refresh when it is shown. */
export function cardAction(serviceUrl: string, verb: string, data: Record<string, unknown>, options: { aadObjectId?: string; tenantId?: string; replyToId?: string; conversationType?: 'personal' | 'groupChat' | 'channel'; trigger?: 'manual' | 'automatic' } = {}) {
  return {
    ...teamsMessage(serviceUrl, '', options),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: options.replyToId ?? 'card-activity-1',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: options.trigger ?? 'manual' },
  };
}
