/**
 * A local stand-in for Meta's Graph API: the messages endpoint, and the account's phone number
 * and templates (graph-standin-account.ts). It speaks the real protocol (path, bearer token,
 * request and answer bodies, error bodies) so the production client is what runs. Used by
 * `npm start` in local mode (no Meta account needed: it logs what would be sent), by the
 * playground and by `npm run bench`. The tests' faults (scripted errors, delays, hangs,
 * resets) are a subclass in test/helpers/scripted-graph.ts that overrides respond().
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessagesRequest } from '../channels/whatsapp/cloud-api-types';
import { BSUID_PATTERN } from '../services/registry/contact';
import { answerAccountRequest, defaultAccount, graphError as graphErrorAnswer, noSuchObject, type StandInAccount } from './graph-standin-account';

export interface RecordedRequest {
  at: number;
  path: string;
  authorization: string | undefined;
  body: MessagesRequest;
  /** The wamid answered, when the answer was a success. */
  answeredId?: string;
}

/** A valid send request on its way to an answer (see GraphStandIn.respond). */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: MessagesRequest;
  /** Answers as Meta does when it accepts the message. */
  succeed(): void;
}

export interface GraphStandInOptions {
  accessToken: string;
  phoneNumberId: string;
  version?: string;
  /** How many requests to keep for inspection (oldest dropped). */
  keep?: number;
  /** Called for every accepted message (local mode logs it). */
  onMessage?: (request: RecordedRequest) => void;
  /** The phone number's fields and the business account's templates (defaults: a GREEN number, no templates). */
  account?: Partial<StandInAccount>;
}

export class GraphStandIn {
  readonly requests: RecordedRequest[] = [];
  accepted = 0;
  private server: http.Server | undefined;
  private readonly listeners = new Set<(request: RecordedRequest) => void>();
  /** The account as Graph would describe it; tests change it as they need. */
  readonly account: StandInAccount;

  constructor(private readonly options: GraphStandInOptions) {
    if (options.onMessage) this.listeners.add(options.onMessage);
    this.account = { ...defaultAccount(options.phoneNumberId), ...options.account };
  }

  /** Calls listener for every message accepted from now on; returns the way to stop. */
  subscribe(listener: (request: RecordedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the Graph API stand-in is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The messages that went to one number or business-scoped user id (text and template), in order. */
  messagesTo(address: string): MessagesRequest[] {
    return this.requests.filter((r) => addressOf(r.body) === address).map((r) => r.body);
  }

  /** Once templates are registered, a send names one that exists and that Meta lets be sent. */
  private templateProblem(body: MessagesRequest): { code: number; message: string } | undefined {
    if (!('template' in body) || body.type !== 'template' || this.account.templates.length === 0) return undefined;
    const found = this.account.templates.find((t) => t.name === body.template.name && t.language === body.template.language.code);
    if (!found) return { code: 132001, message: 'Template name does not exist in the translation' };
    if (found.status === 'PAUSED') return { code: 132015, message: 'Template is Paused' };
    if (found.status === 'DISABLED') return { code: 132016, message: 'Template is Disabled' };
    return found.status === 'APPROVED' ? undefined : { code: 132001, message: 'Template name does not exist in the translation' };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${this.options.accessToken}`) return graphError(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
      const url = new URL(req.url ?? '/', 'http://graph.local');
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!url.pathname.endsWith('/messages')) {
        let parsed: unknown;
        try {
          parsed = raw ? JSON.parse(raw) : undefined;
        } catch {
          return graphError(res, 400, 100, 'Invalid JSON');
        }
        const answer = answerAccountRequest(this.account, req.method ?? 'GET', url, parsed);
        return answer ? json(res, answer.status, answer.body) : graphError(res, 400, 100, 'Unsupported request. Object does not exist or is not supported.');
      }
      const version = this.options.version ?? '[^/]+';
      const pathOk = new RegExp(`^/${version}/${this.options.phoneNumberId}/messages$`).test(url.pathname);
      if (req.method !== 'POST' || !pathOk) {
        const object = /^\/[^/]+\/([^/]+)\/messages$/.exec(url.pathname)?.[1] ?? '';
        const answer = noSuchObject(400, req.method ?? 'POST', object);
        return json(res, answer.status, answer.body);
      }
      let body: MessagesRequest;
      try {
        body = JSON.parse(raw) as MessagesRequest;
      } catch {
        return graphError(res, 400, 100, 'Invalid JSON');
      }
      const problem = validate(body) ?? this.templateProblem(body);
      if (problem) return graphError(res, 400, problem.code, problem.message);

      const recorded: RecordedRequest = { at: Date.now(), path: req.url ?? '', authorization: req.headers.authorization, body };
      this.requests.push(recorded);
      if (this.requests.length > (this.options.keep ?? 10_000)) this.requests.shift();

      const succeed = () => {
        this.accepted += 1;
        if ('status' in body) return json(res, 200, { success: true });
        const id = `wamid.${randomBytes(24).toString('base64url')}`;
        recorded.answeredId = id;
        for (const listener of this.listeners) {
          try {
            listener(recorded);
          } catch {
            // A listener (the log, the playground's phones) must never take the stand-in down.
          }
        }
        // v25's answer: the input echoed, wa_id left out; a send to a BSUID is answered with its user_id.
        const input = addressOf(body) ?? '';
        json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input, ...('recipient' in body && body.recipient ? { user_id: input } : {}) }], messages: [{ id }] });
      };
      this.respond({ req, res, body, succeed });
    });
  }

  /** How a valid send is answered: Meta accepts it. A subclass may answer otherwise. */
  protected respond(exchange: Exchange): void {
    exchange.succeed();
  }
}

function validate(body: MessagesRequest): { code: number; message: string } | undefined {
  if (!body || body.messaging_product !== 'whatsapp') return { code: 100, message: 'The parameter messaging_product is required.' };
  if ('status' in body) return body.status === 'read' && typeof body.message_id === 'string' ? undefined : { code: 100, message: 'Invalid parameter' };
  // Meta's generic "Invalid parameter" for a wrong recipient_type (docs/platform.md A4).
  const recipientType = (body as { recipient_type?: unknown }).recipient_type;
  if (recipientType !== undefined && recipientType !== 'individual') return { code: 100, message: '(#100) Invalid parameter' };
  // `to` takes a number, `recipient` a business-scoped user id; `to` wins when both are given.
  const to = (body as { to?: unknown }).to;
  const recipient = (body as { recipient?: unknown }).recipient;
  if (to !== undefined ? typeof to !== 'string' || !/^\d{8,15}$/.test(to) : typeof recipient !== 'string' || !BSUID_PATTERN.test(recipient)) {
    return { code: 131009, message: 'Parameter value is not valid' };
  }
  if (body.type === 'text') {
    if (typeof body.text?.body !== 'string' || body.text.body.length === 0 || body.text.body.length > 4096) return { code: 100, message: 'Invalid parameter: text.body' };
    return undefined;
  }
  if (body.type === 'template') {
    const parameters = body.template?.components?.[0]?.parameters ?? [];
    if (!body.template?.name || !body.template.language?.code) return { code: 132001, message: 'Template name does not exist in the translation' };
    for (const p of parameters) {
      if (p.type !== 'text' || typeof p.text !== 'string' || /[\n\t]| {5,}/.test(p.text)) {
        return { code: 132018, message: 'There was an issue with the parameters in your template.' };
      }
    }
    return undefined;
  }
  return { code: 100, message: 'Invalid parameter: type' };
}

/** Where a send went: `to` (a number) when given, else `recipient` (a BSUID). */
export function addressOf(body: MessagesRequest): string | undefined {
  if ('status' in body) return undefined;
  return body.to ?? body.recipient;
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function graphError(res: http.ServerResponse, status: number, code: number, message: string, details?: string, headers: Record<string, string> = {}, subcode?: number): void {
  const answer = graphErrorAnswer(status, code, message, details, subcode);
  json(res, answer.status, answer.body, headers);
}

