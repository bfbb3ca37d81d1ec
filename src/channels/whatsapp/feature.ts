/**
 * The WhatsApp channel: webhook verification and events. Statuses go to the delivery ledger,
 * messages to the sign-up conversation, which queues its replies in the same transaction; the
 * dispatcher sends them (woken once the answer to Meta, which must come fast, is on its way).
 */
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Feature } from '../../feature';
import { registerTask, type Jobs } from '../../jobs';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { EmailService } from '../../services/email/feature';
import { StatusBatcher } from '../../services/ledger/status-batcher';
import { notifyDeliveriesReady } from '../../services/ledger/delivery-ledger';
import { everyMessageIdHash } from '../../lib/message-id-hash';
import { recordAccountReports } from '../../services/notices/whatsapp-account';
import { knownDisplayNumber } from '../../services/signup/whatsapp-number';
import { handleInbound } from '../../services/signup/conversation';
import { applyIdentityChange } from '../../services/privacy/person-merge';
import type { AccountApi } from './account-api';
import { refreshAccountState } from './account-refresh';
import type { CloudApiClient } from './cloud-api-client';
import { extractAccountEvents } from './account-webhook';
import { extractEvents, readWebhook, verificationHandler } from './webhook';

export interface WhatsAppDependencies {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  jobs: Jobs;
  metrics: Metrics;
  whatsapp: CloudApiClient;
  /** Graph API calls about the account (number, templates). */
  account: AccountApi;
  email: EmailService;
}

export function whatsappFeature(ctx: WhatsAppDependencies): Feature {
  const { config, dataSource, logger } = ctx;
  const statusBatcher = new StatusBatcher(dataSource, (waMessageId) => everyMessageIdHash(config.pseudonymKeys, waMessageId));
  let foreignAccountLogged = false;
  const events = new Counter({ name: 'whatsapp_webhook_events_total', help: 'WhatsApp webhook events by kind and outcome', labelNames: ['kind', 'outcome'], registers: [ctx.metrics.registry] });

  return {
    name: 'whatsapp',
    routes: [
      { method: 'get', path: '/webhooks/whatsapp', handler: verificationHandler(config.whatsapp.verifyToken) },
      {
        method: 'post',
        path: '/webhooks/whatsapp',
        handler: async (req, res) => {
          const body = await readWebhook(req, config.whatsapp.appSecret);
          const { messages, statuses, identityChanges, skipped } = extractEvents(body, config.whatsapp.phoneNumberId);
          if (skipped.changes + skipped.messages + skipped.statuses + skipped.texts > 0) {
            logger.warn(skipped, 'webhook entries skipped: not what Meta sends (the rest of the batch is applied)');
            events.inc({ kind: 'message', outcome: 'skipped' }, skipped.messages);
            events.inc({ kind: 'status', outcome: 'skipped' }, skipped.statuses);
          }
          // Account events are rare (a few a month): only they need the number as Meta displays it.
          const accountChanges = body.entry.some((entry) => entry.changes.some((change) => change.field !== 'messages'));
          const account = extractAccountEvents(body, { businessAccountId: config.whatsapp.businessAccountId, displayNumber: accountChanges ? await knownDisplayNumber(dataSource, config) : undefined });
          if (account.foreign > 0 && !foreignAccountLogged) {
            foreignAccountLogged = true;
            logger.warn({ changes: account.foreign }, `account events of another WhatsApp Business Account than ${config.whatsapp.businessAccountId ?? '(none set)'} are ignored (logged once)`);
          }
          if (account.skipped > 0) logger.warn({ skipped: account.skipped }, 'account changes skipped: not what Meta sends');
          if (account.reports.length > 0) {
            const paused = await recordAccountReports(dataSource, config, account.reports);
            events.inc({ kind: 'account', outcome: 'recorded' }, account.reports.length);
            if (paused.length > 0) logger.warn({ notices: paused.length }, 'the WhatsApp template can no longer be sent: notices being sent are paused until staff resume them');
          }
          if (statuses.length > 0) {
            const result = await statusBatcher.add(statuses);
            events.inc({ kind: 'status', outcome: 'applied' }, result.applied);
            events.inc({ kind: 'status', outcome: 'unknown' }, result.unknown);
          }
          let replies = 0;
          let mail = false;
          // Messages and identity changes in the order they happened: a message from the old number
          // before the change finds its subscriber, one from the new number after it too.
          const timeline = [...identityChanges.map((change) => ({ at: change.receivedAt, change })), ...messages.map((message) => ({ at: message.receivedAt, message }))];
          for (const event of timeline.sort((a, b) => a.at.getTime() - b.at.getTime() || ('change' in a ? 0 : 1) - ('change' in b ? 0 : 1))) {
            if ('change' in event) {
              const applied = await applyIdentityChange(dataSource, config, event.change);
              events.inc({ kind: 'identity', outcome: applied.duplicate ? 'duplicate' : applied.subscriber ? 'applied' : 'not_subscribed' });
              continue;
            }
            const message = event.message;
            const outcome = await handleInbound(dataSource, config, { messageId: message.id, contact: message.contact, text: message.text, receivedAt: message.receivedAt });
            events.inc({ kind: 'message', outcome: outcome.duplicate ? 'duplicate' : 'handled' });
            replies += outcome.replies.length;
            mail ||= outcome.emailQueued;
          }
          res.send(200, { received: true });
          // The replies are committed in reply_outbox: wake the dispatcher to send them.
          if (replies > 0) await notifyDeliveriesReady(dataSource);
          if (mail) await ctx.email.flushSoon();
        },
      },
    ],
    start: async () => {
      const refresh = await registerTask(ctx.jobs, 'whatsapp-account', '7 * * * *', () => refreshAccountState(dataSource, config, ctx.account, logger), logger);
      await refresh.trigger();
    },
  };
}
