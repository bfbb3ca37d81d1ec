import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OutageMessage } from './outage-message.entity';
import { Subscriber } from './subscriber.entity';

export enum DeliveryStatus {
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Read = 'read',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

/**
 * The delivery ledger: one row per recipient per notice. The recipient link (subscriber_id,
 * phone, user_id) is cleared at opt-out and after RETENTION_DAYS (R14); the row itself stays so the
 * anonymous counts remain.
 */
@Entity({ name: 'delivery' })
// Partial indexes keep the dispatcher's queries small whatever the size of the ledger: the
// claim walks the queued rows in due order and stops after one batch (2 ms instead of 80 ms
// at 100k queued); crash recovery looks only at rows being sent.
@Index('ix_delivery_queued', ['nextAttemptAt', 'id'], { where: "status = 'queued'" })
@Index('ix_delivery_sending', ['claimedAt'], { where: "status = 'sending'" })
// The tab's "time until 95% delivered" reads the k-th delivery of a notice straight from this.
@Index('ix_delivery_message_delivered', ['outageMessageId', 'deliveredAt'], { where: 'delivered_at IS NOT NULL' })
// What reads a notice's rows (progress, cancellation, retention, a follow-up's audience) goes through this.
@Index('ix_delivery_message_status', ['outageMessageId', 'status'])
// One delivery per recipient per notice, and an opt-out's and the subscriber key's path to a
// subscriber's rows, in one index: each update of a row writes one entry fewer (migration 1766300000000).
@Index('uq_delivery_subscriber_message', ['subscriberId', 'outageMessageId'], { unique: true })
// Partial: a snapshot inserts its rows without a message id, so they cost this index nothing.
@Index('uq_delivery_wa_message', ['waMessageId'], { unique: true, where: 'wa_message_id IS NOT NULL' })
// An opt-out finds a merge's orphans through these (migration 1766100000000); they hold only rows
// a merge left without a subscriber, so status updates never write to them.
@Index('ix_delivery_orphan_phone', ['phone'], { where: 'subscriber_id IS NULL AND phone IS NOT NULL' })
@Index('ix_delivery_orphan_user_id', ['userId'], { where: 'subscriber_id IS NULL AND user_id IS NOT NULL' })
export class Delivery {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'bigint' })
  id!: string;

  // No foreign keys: their row-by-row checks were most of an audience snapshot's cost (the
  // notice's 0.6 of 3 s, the subscriber's 0.45 of 1.1 s at 100k). The notice's guarded nothing:
  // the snapshot inserts the deliveries in the transaction that creates their notice, and notices
  // are never deleted. The subscriber's lock kept an opt-out during a snapshot from leaving a
  // delivery behind: an advisory lock does that now (ledger/delivery-ledger.ts, snapshotAudience),
  // and whatever deletes a subscriber of an audience unlinks their deliveries first (privacy/;
  // sign-ups that never completed were never in one).
  @ManyToOne(() => OutageMessage, { nullable: false, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'outage_message_id' })
  outageMessage!: OutageMessage;

  @Column({ name: 'outage_message_id', type: 'uuid' })
  outageMessageId!: string;

  @ManyToOne(() => Subscriber, { nullable: true, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'subscriber_id' })
  subscriber!: Subscriber | null;

  @Column({ name: 'subscriber_id', type: 'uuid', nullable: true })
  subscriberId!: string | null;

  /** The number at snapshot time; null after opt-out or retention, or for a username user without one. */
  @Column({ name: 'phone', type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  /** The business-scoped user id at snapshot time (sent to when there is no number); cleared like the number. */
  @Column({ name: 'user_id', type: 'varchar', length: 140, nullable: true })
  userId!: string | null;

  @Column({ name: 'status', type: 'enum', enum: DeliveryStatus, enumName: 'delivery_status', default: DeliveryStatus.Queued })
  status!: DeliveryStatus;

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** When the row was claimed for sending: a stale claim is retried (crash safety). */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** The token of the dispatcher that claimed it: a successor re-queues another's claims early. */
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'wa_message_id', type: 'varchar', length: 128, nullable: true })
  waMessageId!: string | null;

  /** Time of the newest status applied (webhooks arrive out of order). */
  @Column({ name: 'status_at', type: 'timestamptz', nullable: true })
  statusAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_title', type: 'varchar', length: 200, nullable: true })
  errorTitle!: string | null;

  /** Meta's pricing of this message, from its status webhooks: whether it is billed... */
  @Column({ name: 'billable', type: 'boolean', nullable: true })
  billable!: boolean | null;

  /** ...in which category (utility, marketing, service, ...)... */
  @Column({ name: 'pricing_category', type: 'varchar', length: 40, nullable: true })
  pricingCategory!: string | null;

  /** ...and under which model (PMP: per message). */
  @Column({ name: 'pricing_model', type: 'varchar', length: 40, nullable: true })
  pricingModel!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
