/**
 * Connections, before any byte of them is authenticated. Exposed directly (HOST=0.0.0.0 in a
 * container or App Service, no nginx in front), the service must stay reachable for /healthz,
 * Meta's webhooks and Teams while strangers hold sockets open:
 * - a request's headers must be in within 10 s and the whole request within 30 s, checked every
 *   second (Node's own check runs every 30 s, which let a trickling client hold on for 60–90 s);
 * - connections that have not yet sent a whole request head (slow or idle strangers) get a bounded
 *   number of slots: beyond it the oldest of them is cut to make room, so new clients still get in;
 * - beyond MAX_CONNECTIONS in all, new connections are closed at once (memory stays bounded;
 *   request bodies have their own budget, body.ts).
 * Every connection refused, cut or timed out is counted (http_connections_dropped_total, by
 * reason) and logged as one WARN line with the counts, at most once a minute.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Counter } from 'prom-client';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface ConnectionLimits {
  /** Connections open at once, in all. */
  maxConnections: number;
  /** Connections still waiting for their first request head. */
  waitingSlots: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How often the timeouts are enforced. */
  checkEveryMs: number;
}

export const CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 4096,
  waitingSlots: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkEveryMs: 1000,
};

export type DropReason = 'limit' | 'waiting_slots' | 'timeout' | 'bad_request';

const LOG_EVERY_MS = 60_000;

/** What Node answers itself for a client error (its default clientError handling), then closes. */
const ANSWERS: Partial<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};

export function guardConnections(server: HttpServer, logger: Logger, metrics: Metrics, limits: ConnectionLimits = CONNECTION_LIMITS): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // Read when the server starts listening (Node's default is 30 s).
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = limits.checkEveryMs;

  const dropped = new Counter({ name: 'http_connections_dropped_total', help: 'Connections refused, cut or timed out before an answer, by reason', labelNames: ['reason'], registers: [metrics.registry] });
  const report = reporter(logger);
  const drop = (reason: DropReason) => {
    dropped.inc({ reason });
    report(reason);
  };

  // Insertion order is age order: the first is the oldest.
  const waiting = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
    if (waiting.size > limits.waitingSlots) {
      const oldest = waiting.values().next().value as Socket;
      waiting.delete(oldest);
      oldest.destroy();
      drop('waiting_slots');
    }
  });
  // A kept-alive connection waits again once its answer is out: a stranger who sent one cheap
  // request and then idles or trickles the next head holds a waiting slot, not a free one.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    waiting.delete(req.socket);
    res.once('finish', () => {
      if (!req.socket.destroyed) waiting.add(req.socket);
    });
  });
  server.on('drop', () => drop('limit'));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { headersSent?: boolean } | null }) => {
    const code = error.code ?? '';
    // A client that hangs up is not a connection we dropped.
    if (code === 'ECONNRESET') return void socket.destroy();
    drop(code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'bad_request');
    // As Node answers by default: unless an answer on this connection has already begun.
    if (socket.writable && !socket._httpMessage?.headersSent) {
      socket.write(`HTTP/1.1 ${ANSWERS[code] ?? '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
}

/** Counts since the last line; a line now if a minute has passed, else one when it has. */
function reporter(logger: Logger): (reason: DropReason) => void {
  let counts: Partial<Record<DropReason, number>> = {};
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    last = Date.now();
    logger.warn({ dropped: counts }, 'connections refused, cut or timed out (counts since the last such line)');
    counts = {};
  };
  return (reason) => {
    counts[reason] = (counts[reason] ?? 0) + 1;
    if (timer) return;
    const wait = last + LOG_EVERY_MS - Date.now();
    if (wait <= 0) flush();
    else timer = setTimeout(flush, wait).unref();
  };
}
