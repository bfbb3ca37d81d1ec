/**
 * The dispatcher's lock: one per WhatsApp sender number across all instances, a session
 * advisory lock on a connection of its own. If the instance dies or the connection breaks, the
 * lock goes with it and another instance takes it. The same connection LISTENs for new
 * deliveries.
 */
import { Client } from 'pg';
import type { Logger } from '../../logger';
import { DELIVERY_READY_CHANNEL } from '../ledger/delivery-ledger';

export interface LeaderLockEvents {
  /** The connection broke: the lock is gone. */
  onLost: () => void;
  /** Deliveries were announced (NOTIFY delivery_ready). */
  onDeliveriesReady: () => void;
}

export class LeaderLock {
  private client: Client | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly phoneNumberId: string,
    private readonly logger: Logger,
    private readonly events: LeaderLockEvents,
  ) {}

  /** True when this instance now holds the lock; false when another does. */
  async tryAcquire(): Promise<boolean> {
    // keepAlive: a connection that went half-open is noticed by the OS as well as by check().
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'storingsmelder-dispatcher', keepAlive: true });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'dispatcher lost its database connection');
      if (this.client === client) this.events.onLost();
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`storingsmelder-dispatcher:${this.phoneNumberId}`]);
      if (!rows[0].locked) {
        await client.end();
        return false;
      }
      await client.query(`LISTEN ${DELIVERY_READY_CHANNEL}`);
      client.on('notification', () => this.events.onDeliveriesReady());
      this.client = client;
      return true;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Throws when the lock's connection does not answer. */
  async check(): Promise<void> {
    await this.client?.query('SELECT 1');
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
