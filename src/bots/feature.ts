/**
 * The Teams staff bot: POST /api/messages and the status-card refresher (every 5 s, on the one
 * instance that holds its lease, rewriting a card only when it changed, through the conversation
 * reference stored with the notice). It gets the domain only as the StaffServices door: no
 * database, no WhatsApp client.
 */
import type { Activity } from 'botbuilder';
import { createHash, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { TeamsSettings } from '../config';
import type { Feature } from '../feature';
import { readJsonBody } from '../http/body';
import { ServiceUnavailableError, UnauthorizedError, ValidationError } from '../http/errors';
import type { Logger } from '../logger';
import type { StaffServices } from '../services/staff-services';
import { createAdapter } from './adapter';
import { attachment, REFRESH_FOR_MS, statusCard } from './cards';
import { OutageBot } from './outage-bot';

const REFRESH_MS = 5000;

/** jsonwebtoken's errors, which botbuilder lets through for a bad signature or claims. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * What a failed token check means for the caller: 503 when the Bot Framework's signing keys
 * could not be fetched (Teams retries), 401 for a bad, expired or missing token; anything else
 * as is.
 */
function authenticationFailure(error: unknown): unknown {
  const e = error as { name?: string; statusCode?: number };
  if (e.name === 'FetchError' || (e.statusCode ?? 0) >= 500) {
    return new ServiceUnavailableError('the Bot Framework signing keys cannot be fetched right now; try again');
  }
  if (TOKEN_ERRORS.has(e.name ?? '') || ((e.statusCode ?? 0) >= 400 && (e.statusCode ?? 0) < 500)) return new UnauthorizedError('invalid or missing Bot Framework token');
  return error;
}

/** botbuilder's own clock tolerance for token times. */
const CLOCK_SKEW_S = 300;

/**
 * The checks that need no keys, before the body is read: a bearer token that is a JWT and has
 * not expired. (botbuilder checks the signature and the claims; an expired token would also
 * make it print a stack trace to stderr.)
 */
function tokenProblem(header: string | undefined, nowS = Date.now() / 1000): string | null {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  if (!match) return 'no bearer token';
  let claims: { exp?: unknown; nbf?: unknown };
  try {
    claims = decodeJwt(match[1]);
  } catch {
    return 'not a JWT';
  }
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_S < nowS) return 'expired';
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_S > nowS) return 'not valid yet';
  return null;
}

export interface TeamsBotDependencies {
  config: TeamsSettings;
  logger: Logger;
  staff: StaffServices;
}

export function teamsBotFeature({ config, logger, staff }: TeamsBotDependencies): Feature {
  const adapter = createAdapter(config, logger);
  const bot = new OutageBot(config, staff, logger);
  let refresher: NodeJS.Timeout | undefined;
  let refreshing = false;

  // This instance, for the refresher's lease: one instance rewrites the cards (services/notices/status-cards.ts).
  const holder = randomUUID();
  const refresh = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      for (const target of await staff.cardsToRefresh(holder, REFRESH_FOR_MS)) {
        // One card that cannot be written (the bot was removed from that chat) does not stop the others.
        try {
          const staffId = (target.reference.user as { id?: string } | undefined)?.id;
          const personal = (target.reference.conversation as { conversationType?: string } | undefined)?.conversationType === 'personal';
          const card = statusCard(await staff.statusOf(target.messageId), { viewerIds: staffId ? [staffId] : [], personal });
          // Only a card that changed is rewritten (a paused notice's stays as it is; one past its
          // week of refreshes is rewritten once more, without the refresh clause, and then left).
          const digest = createHash('sha256').update(JSON.stringify(card)).digest('hex');
          if (digest === target.digest) continue;
          await adapter.continueConversationAsync(config.bot.appId ?? '', target.reference, async (turn) => {
            await turn.updateActivity({ type: 'message', id: target.activityId, attachments: [attachment(card)] });
          });
          await staff.cardShown(target.messageId, digest);
        } catch (error) {
          logger.warn({ err: error, notice: target.messageId }, 'status card refresh failed');
        }
      }
    } catch (error) {
      logger.warn({ err: error }, 'status card refresh failed');
    } finally {
      refreshing = false;
    }
  };

  return {
    name: 'teams-bot',
    routes: [
      {
        method: 'post',
        path: '/api/messages',
        handler: async (req, res) => {
          const header = req.headers.authorization ?? '';
          const problem = config.bot.localMode ? null : tokenProblem(header);
          if (problem) {
            logger.warn({ reason: problem }, 'Bot Framework request refused');
            throw new UnauthorizedError('invalid or missing Bot Framework token');
          }
          const body = await readJsonBody(req, 1024 * 1024);
          if (!body || typeof body !== 'object' || typeof (body as { type?: unknown }).type !== 'string') throw new ValidationError('body is not a Bot Framework activity');
          try {
            const response = await adapter.handle(header, body as Activity, (context) => bot.run(context));
            res.send(response?.status ?? 200, response?.body ?? undefined);
          } catch (error) {
            const mapped = authenticationFailure(error);
            if (mapped instanceof UnauthorizedError) logger.warn({ reason: (error as Error).message }, 'Bot Framework request refused');
            throw mapped;
          }
        },
      },
    ],
    start: async () => {
      refresher = setInterval(() => void refresh(), REFRESH_MS);
      refresher.unref();
    },
    stop: async () => {
      clearInterval(refresher);
    },
  };
}
