/**
 * GET /playground: the WhatsApp and e-mail side of the product on one page, for trying it
 * locally (`npm run playground`). Three simulated phones talk to the service through the
 * webhook and the built-in Graph API stand-in; beside them, the mailbox shows every mail of
 * the outbox. Local mode only: with Bot Framework or WhatsApp credentials, or in production,
 * these routes do not exist (app.ts does not mount them).
 */
import { LOCAL_DISPLAY_NUMBER } from '../lib/local-whatsapp-number';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request } from 'restify';
import type { Config } from '../config';
import { isLoopbackAddress } from '../lib/loopback';
import type { Feature } from '../feature';
import type { Handler, RouteDefinition } from '../server';
import { sendAsset } from '../http/assets';
import { readJsonBody } from '../http/body';
import { ForbiddenError, NotFoundError, ValidationError } from '../http/errors';
import type { Logger } from '../logger';
import type { MailboxEntry } from '../services/email/mailbox';
import { renderNotice } from '../services/notices/notice-template';
import type { GraphStandIn } from '../local/graph-standin';
import { SimulatedPhones } from './phones';
import type { PlaygroundState } from './state';

const PAGE_DIR = path.resolve(__dirname, '../../playground');
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/** The numbers of the three phones (fictional Dutch mobile numbers). */
export const PLAYGROUND_PHONES = [
  { number: '31612345601', label: 'Telefoon 1' },
  { number: '31612345602', label: 'Telefoon 2' },
  { number: '31612345603', label: 'Telefoon 3' },
];

/** Only without any real credentials and never in production. */
export function playgroundAvailable(config: Config): boolean {
  return config.bot.localMode && config.whatsapp.localMode && !config.production;
}

export interface PlaygroundDependencies {
  config: Config;
  logger: Logger;
  standIn: GraphStandIn;
  readMailbox: () => Promise<MailboxEntry[]>;
  /** The service's own base URL once it listens (the phones post their webhooks there). */
  serviceUrl: () => string;
  /** The Microsoft 365 Agents Playground, when `npm run playground` started one. */
  teamsClientUrl?: string;
}

export function playgroundFeature(deps: PlaygroundDependencies): Feature {
  const { config } = deps;
  const phones = new SimulatedPhones({
    phones: PLAYGROUND_PHONES,
    webhookUrl: () => `${deps.serviceUrl()}/webhooks/whatsapp`,
    appSecret: config.whatsapp.appSecret,
    sender: { ...config.whatsapp, displayNumber: LOCAL_DISPLAY_NUMBER.replace(/\D/g, '') },
    renderTemplate: renderNotice,
    logger: deps.logger,
  });
  const unsubscribe = deps.standIn.subscribe((request) => phones.receive(request));
  const asset = (file: string) => readFileSync(path.join(PAGE_DIR, file));
  // Local mode has no authentication: answer only requests addressed to this machine (no DNS
  // rebinding), and take only JSON posts (a foreign web page cannot send those without CORS).
  const guard = (handler: Handler): Handler => async (req, res) => {
    if (!isLoopbackAddress(req.socket.remoteAddress ?? '')) throw new ForbiddenError('the playground answers only this computer');
    if (!LOCAL_HOST.test(req.headers.host ?? '')) throw new ForbiddenError('the playground answers only on localhost');
    if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new ValidationError('expected Content-Type: application/json');
    await handler(req, res);
  };
  const phoneOf = (req: Request): string => {
    const raw: unknown = (req.params as Record<string, unknown>).number;
    const number = typeof raw === 'string' ? raw : '';
    if (!phones.has(number)) throw new NotFoundError('no such simulated phone');
    return number;
  };

  return {
    name: 'playground',
    routes: ([
      {
        method: 'get',
        path: '/playground',
        handler: async (_req, res) => {
          sendAsset(res, 'text/html; charset=utf-8', asset('index.html'), { 'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'" });
        },
      },
      {
        method: 'get',
        path: '/playground/playground.js',
        handler: async (_req, res) => {
          sendAsset(res, 'application/javascript; charset=utf-8', asset('playground.js'), { 'Cache-Control': 'no-cache' });
        },
      },
      {
        method: 'get',
        path: '/playground/api/state',
        handler: async (_req, res) => {
          const state: PlaygroundState = {
            phones: phones.view(),
            mailbox: await deps.readMailbox(),
            links: { teams: deps.teamsClientUrl ?? null, tab: '/tab' },
            whatsappNumber: LOCAL_DISPLAY_NUMBER,
          };
          res.setHeader('Cache-Control', 'no-store');
          res.send(200, state);
        },
      },
      {
        method: 'post',
        path: '/playground/api/phones/:number/messages',
        handler: async (req, res) => {
          const number = phoneOf(req);
          const body = (await readJsonBody(req, 16 * 1024)) as { text?: unknown } | null;
          const text = typeof body?.text === 'string' ? body.text.trim() : '';
          if (text === '' || text.length > 4096) throw new ValidationError('text: expected a message of 1 to 4096 characters');
          res.send(200, await phones.send(number, text));
        },
      },
      {
        method: 'post',
        path: '/playground/api/phones/:number/whatsapp',
        handler: async (req, res) => {
          const number = phoneOf(req);
          const body = (await readJsonBody(req, 1024)) as { on?: unknown } | null;
          if (typeof body?.on !== 'boolean') throw new ValidationError('on: expected true or false');
          phones.setWhatsApp(number, body.on);
          res.send(200, { onWhatsApp: body.on });
        },
      },
      {
        method: 'post',
        path: '/playground/api/phones/:number/read',
        handler: async (req, res) => {
          res.send(200, { read: await phones.read(phoneOf(req)) });
        },
      },
    ] as RouteDefinition[]).map((route) => ({ ...route, handler: guard(route.handler) })),
    stop: async () => {
      unsubscribe();
      phones.stop();
    },
  };
}
