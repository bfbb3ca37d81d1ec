/**
 * The restify app: error mapping, metrics, health, and the routes of the public contract
 * (docs/architecture.md (Public contract)). Features hand in their routes; this file knows nothing of their domain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
// Before restify: it lets restify 11 load on Node 24 (see the file).
import restify, { type Request, type Response, type Server } from 'restify';
import type { DataSource } from 'typeorm';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { TooBusyError } from './http/body';
import { guardConnections } from './http/connection-guard';
import { NotFoundError, toHttp, UnauthorizedError } from './http/errors';
import { sameSecret } from './lib/secrets';
import { isLoopbackAddress } from './lib/loopback';

export type Method = 'get' | 'post' | 'put' | 'del';
export type Handler = (req: Request, res: Response) => Promise<void>;

export interface RouteDefinition {
  method: Method;
  path: string;
  handler: Handler;
}

export interface ServerDependencies {
  logger: Logger;
  metrics: Metrics;
  dataSource: DataSource;
  routes: RouteDefinition[];
  /**
   * Local mode: refuse every request that does not come straight from this computer (another
   * peer, or a proxy or tunnel in front of us, which says so in Forwarded / X-Forwarded-For).
   */
  loopbackOnly?: boolean;
  /** GET /metrics: open, behind a bearer token, or off (the default). */
  metricsAccess?: { token: string } | 'open' | 'off';
  /**
   * Parts that can degrade without stopping the service (the erasure log): each says 'ok' or
   * what is wrong, in /healthz's answer, which then says "degraded" (still 200: it serves).
   */
  readiness?: () => Record<string, string>;
}

/** Sends an error as JSON: status and a short reason, never a stack trace. */
export function sendError(res: Response, logger: Logger, error: unknown): void {
  const answer = toHttp(error);
  const busy = error instanceof TooBusyError;
  if (answer.status >= 500 && answer.status !== 503) logger.error({ err: error }, 'request failed');
  if (answer.status === 503 && !busy) logger.warn({ err: error }, 'request refused: a dependency is unavailable');
  if (busy) busyLog.note(logger);
  // The rest of a too large (or refused) body is not read: the connection cannot carry another request.
  if ((answer.status === 413 || answer.status === 408 || busy) && !res.headersSent) res.setHeader('Connection', 'close');
  if (busy && !res.headersSent) res.setHeader('Retry-After', '5');
  if (!res.headersSent) res.send(answer.status, answer.body);
  // Node would otherwise read the refused body to its end to discard it (3 MB per stranger in a
  // flood): once the answer is out, the connection goes.
  if (answer.status === 413 || busy) res.once('finish', () => res.socket?.destroy());
}

const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host'];
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * Why a request did not come straight from this computer: another peer, a proxy or tunnel in
 * front (its headers), a name that is not ours in Host (DNS rebinding), or a web page of another
 * site in the developer's browser (Origin, Sec-Fetch-Site; and a POST that is not JSON, which a
 * cross-site form could send without asking). null when it did.
 */
function notFromThisComputer(req: Request): string | null {
  if (!isLoopbackAddress(req.socket.remoteAddress ?? '')) return 'peer';
  if (PROXY_HEADERS.some((name) => req.headers[name] !== undefined)) return 'proxy';
  if (!LOCAL_HOST.test(req.headers.host ?? '')) return 'host';
  const origin = req.headers.origin;
  if (origin !== undefined && !LOCAL_ORIGIN.test(origin)) return 'origin';
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'origin';
  if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 'content-type';
  return null;
}

function loopbackGuard(logger: Logger) {
  return (req: Request, res: Response, next: (error?: false) => void): void => {
    const reason = notFromThisComputer(req);
    if (reason === null) return next();
    logger.warn({ reason }, 'local mode: request from outside this computer refused');
    res.setHeader('Connection', 'close');
    // A form post from this computer is refused for what it could be (a cross-site form): say what is accepted.
    const message = reason === 'content-type' ? 'this service runs in local mode and accepts only JSON posts (Content-Type: application/json)' : 'this service runs in local mode and answers only this computer';
    res.send(403, { error: 'forbidden', message });
    next(false);
  };
}

/** Bodies refused for the budget come in floods: one WARN line per 10 s with how many. */
const busyLog = {
  refused: 0,
  last: 0,
  note(logger: Logger): void {
    this.refused += 1;
    if (Date.now() - this.last < 10_000) return;
    logger.warn({ refused: this.refused }, 'request bodies refused with 503: too many being received at once');
    this.refused = 0;
    this.last = Date.now();
  },
};

function wrap(handler: Handler, logger: Logger): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      sendError(res, logger, error);
    }
  };
}

export function createServer(deps: ServerDependencies): Server {
  const { logger, metrics, dataSource } = deps;
  const server = restify.createServer({ name: 'storingsmelder', handleUncaughtExceptions: false });
  trackConnections(server);
  // Timeouts, slots for strangers' slow connections, and a count of every one dropped (http/connection-guard.ts).
  guardConnections(server.server, logger, metrics);
  if (deps.loopbackOnly) server.pre(loopbackGuard(logger));
  server.use(restify.plugins.queryParser({ mapParams: false }));

  server.on('after', (req: Request, res: Response) => {
    const route = (req.getRoute?.()?.path as string | undefined) ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method ?? 'GET', route, status: String(res.statusCode) });
    metrics.httpDuration.observe({ method: req.method ?? 'GET', route }, (Date.now() - req.time()) / 1000);
  });
  // Errors restify itself raises (404, 405, bad query) as the same JSON shape as ours.
  server.on('restifyError', (_req: Request, _res: Response, error: Error & { statusCode?: number }, callback: () => void) => {
    const status = error.statusCode ?? 500;
    Object.assign(error, { toJSON: () => ({ error: status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'internal', message: status < 500 ? error.message : 'internal error' }) });
    callback();
  });

  server.get('/healthz', wrap(async (_req, res) => {
    const healthy = await databaseAnswers(dataSource);
    const parts = deps.readiness?.() ?? {};
    const degraded = Object.values(parts).some((state) => state !== 'ok');
    res.send(healthy ? 200 : 503, { status: healthy ? (degraded ? 'degraded' : 'ok') : 'unavailable', database: healthy ? 'up' : 'down', ...parts });
  }, logger));

  server.get('/metrics', wrap(async (req, res) => {
    const access = deps.metricsAccess ?? 'off';
    if (access === 'off') throw new NotFoundError('/metrics is off: set METRICS_TOKEN to scrape it');
    if (access !== 'open') {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !sameSecret(given, access.token)) throw new UnauthorizedError('GET /metrics needs the bearer token METRICS_TOKEN');
    }
    const body = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.writeHead(200);
    res.end(body);
  }, logger));

  for (const route of deps.routes) server[route.method](route.path, wrap(route.handler, logger));
  return server;
}

async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('database health check timed out')), 2000);
    });
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A route of the contract whose feature has not landed yet. */
export function notImplemented(method: Method, path: string): RouteDefinition {
  return {
    method,
    path,
    handler: async (_req, res) => {
      res.send(501, { error: 'not_implemented', message: `${method.toUpperCase()} ${path} is not available yet` });
    },
  };
}

/**
 * Which connections carry a request right now. Node's closeIdleConnections() leaves a socket
 * alone that never sent a request (a browser opens such spare connections ahead of time), so
 * a stop would wait out the whole grace period for nothing.
 */
interface Connections {
  open: Set<Socket>;
  busy: Set<Socket>;
  closing: boolean;
}

const connections = new WeakMap<Server, Connections>();

function trackConnections(server: Server): void {
  const state: Connections = { open: new Set(), busy: new Set(), closing: false };
  connections.set(server, state);
  server.server.on('connection', (socket: Socket) => {
    state.open.add(socket);
    socket.once('close', () => {
      state.open.delete(socket);
      state.busy.delete(socket);
    });
  });
  server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.busy.add(req.socket);
    res.once('close', () => {
      state.busy.delete(req.socket);
      // Stopping: the answer is out, the connection is not needed any more.
      if (state.closing) req.socket.end();
    });
  });
}

/** Stops accepting connections, lets in-flight requests finish (up to graceMs), then closes the rest. */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.server.closeAllConnections(), graceMs);
    timer.unref();
    server.server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.server.closeIdleConnections();
    const state = connections.get(server);
    if (state) {
      state.closing = true;
      // Only connections that never sent a byte: one in the middle of sending a request gets its answer.
      for (const socket of state.open) if (!state.busy.has(socket) && socket.bytesRead === 0) socket.destroy();
    }
  });
}
