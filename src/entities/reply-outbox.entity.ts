import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Conversation replies waiting to be sent: written in the transaction of the state change they
 * confirm (signup/conversation.ts), sent by the dispatcher within the rate limit, and deleted
 * once Meta accepted them (or gave a final no). The address and text (which may hold a first
 * name) live here only for those seconds; one reply per inbound message and position (a
 * redelivered message queues nothing twice).
 */
@Entity({ name: 'reply_outbox' })
@Index('uq_reply_outbox_message_seq', ['inboundMessageId', 'seq'], { unique: true })
@Index('ix_reply_outbox_due', ['nextAttemptAt', 'id'], { where: "status = 'queued'" })
export class ReplyOutbox {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'bigint' })
  id!: string;

  /** The WhatsApp message this answers. */
  @Column({ name: 'inbound_message_id', type: 'varchar', length: 128 })
  inboundMessageId!: string;

  @Column({ name: 'seq', type: 'smallint', default: 0 })
  seq!: number;

  /** The number, or a username user's business-scoped user id. */
  @Column({ name: 'address', type: 'varchar', length: 140 })
  address!: string;

  /** sign_up, opt_out or one_way: counted per month once sent (message_count). */
  @Column({ name: 'kind', type: 'varchar', length: 20 })
  kind!: string;

  @Column({ name: 'text', type: 'text' })
  text!: string;

  /** queued or sending (claimed by the dispatcher with claimed_by; a stale claim is queued again). */
  @Column({ name: 'status', type: 'varchar', length: 10, default: 'queued' })
  status!: 'queued' | 'sending';

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
