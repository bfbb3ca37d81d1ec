/**
 * The Graph API stand-in with faults the tests script: error bodies (with Retry-After), delays,
 * a hang past the client's timeout, a connection reset. Production and the playground use the
 * plain stand-in; only tests need to make Meta misbehave.
 */
import type http from 'node:http';
import { GraphStandIn, graphError, type Exchange } from '../../src/local/graph-standin';
import type { MessagesRequest } from '../../src/channels/whatsapp/cloud-api-types';

/** A scripted answer: an error body, a delay, a hang past the client's timeout, or a reset. */
export interface ScriptedAnswer {
  status?: number;
  error?: { code: number; message: string; details?: string; subcode?: number };
  retryAfterSeconds?: number;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
}

export class ScriptedGraphStandIn extends GraphStandIn {
  /** Answers used in order for the next requests; afterwards: success. */
  readonly script: ScriptedAnswer[] = [];
  /** Decides per request when set (after the script is used up); undefined = success. */
  decide?: (body: MessagesRequest) => ScriptedAnswer | undefined;
  private readonly hanging = new Set<http.ServerResponse>();

  override async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await super.stop();
  }

  protected override respond(exchange: Exchange): void {
    const scripted = this.script.shift() ?? this.decide?.(exchange.body);
    const answer = () => {
      if (scripted?.reset) return exchange.req.socket.destroy();
      if (scripted?.hang) {
        this.hanging.add(exchange.res);
        return;
      }
      if (scripted?.error || (scripted?.status && scripted.status >= 300)) {
        const headers: Record<string, string> = scripted.retryAfterSeconds !== undefined ? { 'Retry-After': String(scripted.retryAfterSeconds) } : {};
        return graphError(exchange.res, scripted.status ?? 400, scripted.error?.code ?? 131000, scripted.error?.message ?? 'Something went wrong', scripted.error?.details, headers, scripted.error?.subcode);
      }
      exchange.succeed();
    };
    if (scripted?.delayMs) setTimeout(answer, scripted.delayMs);
    else answer();
  }
}
