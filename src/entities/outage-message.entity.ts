import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Outage } from './outage.entity';

export enum OutageMessageKind {
  Initial = 'initial',
  Update = 'update',
  Resolved = 'resolved',
}

export enum OutageMessageStatus {
  /** Four-eyes: waiting for a second staff member (REQUIRE_APPROVAL). */
  AwaitingApproval = 'awaiting_approval',
  /** Composed outside business hours: released at release_at (R12). */
  Held = 'held',
  /** Deliveries snapshotted; the dispatcher is (or will be) sending. */
  Sending = 'sending',
  /** Stopped by 131048/368: needs staff attention. */
  Paused = 'paused',
  Done = 'done',
  Cancelled = 'cancelled',
  /** A newer message of the same outage replaced it before it had finished (notices/notice-lifecycle.ts): never sent again. */
  Superseded = 'superseded',
}

/** One notice to subscribers: the initial report, an update or "opgelost". */
@Entity({ name: 'outage_message' })
@Index('ix_outage_message_status_release', ['status', 'releaseAt'])
export class OutageMessage {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  @Index('ix_outage_message_outage')
  @ManyToOne(() => Outage, (outage) => outage.messages, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'outage_id', foreignKeyConstraintName: 'fk_outage_message_outage' })
  outage!: Outage;

  @Column({ name: 'outage_id', type: 'uuid' })
  outageId!: string;

  @Column({ name: 'kind', type: 'enum', enum: OutageMessageKind, enumName: 'outage_message_kind' })
  kind!: OutageMessageKind;

  /** The staff text as typed. */
  @Column({ name: 'text', type: 'text' })
  text!: string;

  @Column({ name: 'expected_resolution', type: 'varchar', length: 100, nullable: true })
  expectedResolution!: string | null;

  /** The template body parameters exactly as sent (docs/architecture.md (Public contract)), frozen at compose time. */
  @Column({ name: 'template_parameters', type: 'jsonb' })
  templateParameters!: string[];

  @Column({ name: 'status', type: 'enum', enum: OutageMessageStatus, enumName: 'outage_message_status' })
  status!: OutageMessageStatus;

  /** When a held message goes out (start of the next business-hours window). */
  @Column({ name: 'release_at', type: 'timestamptz', nullable: true })
  releaseAt!: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ name: 'approved_by', type: 'varchar', length: 64, nullable: true })
  approvedBy!: string | null;

  /** Idempotency key from the card: a double click on Versturen sends once. */
  @Index('uq_outage_message_request', { unique: true })
  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  /** Bot Framework conversation reference of the staff card, for proactive status updates. */
  @Column({ name: 'conversation_reference', type: 'jsonb', nullable: true })
  conversationReference!: Record<string, unknown> | null;

  /** Activity id of the status card, for updateActivity. */
  @Column({ name: 'card_activity_id', type: 'varchar', length: 128, nullable: true })
  cardActivityId!: string | null;

  /** Why it is paused: what Meta refused (account, number, template), or null for a limit or an older pause. */
  @Column({ name: 'pause_scope', type: 'varchar', length: 16, nullable: true })
  pauseScope!: 'account' | 'number' | 'template' | 'notice' | null;

  /** Meta's error code that paused it, when one did. */
  @Column({ name: 'pause_code', type: 'integer', nullable: true })
  pauseCode!: number | null;

  /** When staff re-queued the failed recipients whose cause can pass (once per notice). */
  @Column({ name: 'failures_retried_at', type: 'timestamptz', nullable: true })
  failuresRetriedAt!: Date | null;

  @Column({ name: 'recipient_count', type: 'integer', default: 0 })
  recipientCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the deliveries were snapshotted (sending started). */
  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** When retention found none of its deliveries naming anyone any more (R14): later nights skip it. */
  @Column({ name: 'recipients_forgotten_at', type: 'timestamptz', nullable: true })
  recipientsForgottenAt!: Date | null;

  /** A digest of the status card last written (services/notices/status-cards.ts): it is rewritten only when it changed. */
  @Column({ name: 'card_digest', type: 'varchar', length: 64, nullable: true })
  cardDigest!: string | null;

  /** The newer notice of the outage that replaced this one (status superseded). */
  @Column({ name: 'superseded_by', type: 'uuid', nullable: true })
  supersededBy!: string | null;
}
