import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum EmailKind {
  Stappenplan = 'stappenplan',
  AvgOptIn = 'avg_opt_in',
  AvgOptOut = 'avg_opt_out',
}

export enum EmailStatus {
  Pending = 'pending',
  Sent = 'sent',
  Failed = 'failed',
}

/**
 * The e-mail outbox and AVG archive (R8): every mail is written here first, then sent by a
 * background job. The full content and its sha256 stay as proof; this is the one table allowed
 * to keep a former subscriber's first name and e-mail address (R11).
 */
@Entity({ name: 'email_notice' })
@Index('ix_email_notice_status', ['status', 'nextAttemptAt'])
export class EmailNotice {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  @Column({ name: 'kind', type: 'enum', enum: EmailKind, enumName: 'email_kind' })
  kind!: EmailKind;

  @Column({ name: 'recipient', type: 'varchar', length: 254 })
  recipient!: string;

  @Column({ name: 'bcc', type: 'varchar', length: 254, nullable: true })
  bcc!: string | null;

  @Column({ name: 'subject', type: 'varchar', length: 300 })
  subject!: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody!: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody!: string;

  /** sha256 (hex) of subject + text + html as archived. */
  @Column({ name: 'sha256', type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'status', type: 'enum', enum: EmailStatus, enumName: 'email_status', default: EmailStatus.Pending })
  status!: EmailStatus;

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'smtp_message_id', type: 'varchar', length: 300, nullable: true })
  smtpMessageId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
