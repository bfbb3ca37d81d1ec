import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { registerTask, type BackgroundTask, type Jobs } from '../../jobs';
import type { Logger } from '../../logger';
import { EmailSender } from './sender';

/** The e-mail outbox worker: flushes after every queued mail and every minute as a backstop. */
export interface EmailService {
  /** Ask for a flush now (after the transaction that queued mail has committed). */
  flushSoon(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmailDependencies {
  config: Config;
  dataSource: DataSource;
  jobs: Jobs;
  logger: Logger;
}

export function createEmailService(ctx: EmailDependencies): EmailService {
  const sender = new EmailSender(
    ctx.dataSource,
    { smtpUrl: ctx.config.mail.smtpUrl, requireTls: ctx.config.production, from: ctx.config.mail.from, outboxDir: path.join(ctx.config.dataDir, 'outbox') },
    ctx.logger,
  );
  let task: BackgroundTask | undefined;
  return {
    flushSoon: async () => {
      await task?.trigger();
    },
    start: async () => {
      task = await registerTask(ctx.jobs, 'email-flush', '* * * * *', () => sender.flush(), ctx.logger);
      await task.trigger();
    },
    stop: async () => {
      sender.close();
    },
  };
}
