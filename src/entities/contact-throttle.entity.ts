import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per-number counters that must exist before a person is a subscriber (R10 auto-reply at most
 * once per 24 h, limited wrong-code attempts). Keyed by a keyed hash of the number, never the
 * number itself, and purged when stale.
 */
@Entity({ name: 'contact_throttle' })
export class ContactThrottle {
  @PrimaryColumn({ name: 'phone_hash', type: 'varchar', length: 64 })
  phoneHash!: string;

  @Column({ name: 'last_auto_reply_at', type: 'timestamptz', nullable: true })
  lastAutoReplyAt!: Date | null;

  @Column({ name: 'failed_code_attempts', type: 'integer', default: 0 })
  failedCodeAttempts!: number;

  @Column({ name: 'first_failed_at', type: 'timestamptz', nullable: true })
  firstFailedAt!: Date | null;

  /** The opt-in sentence came without a code: the code may follow in the next message (R4). */
  @Column({ name: 'sentence_at', type: 'timestamptz', nullable: true })
  sentenceAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
