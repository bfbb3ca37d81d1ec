import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Customer } from './customer.entity';

export enum SubscriberStatus {
  /** Opt-in sentence and code received; waiting for the first name (R6: gets nothing yet). */
  PendingName = 'pending_name',
  Active = 'active',
}

/**
 * A WhatsApp subscriber. Holds all the personal data the rules allow (R5): first name,
 * company (through customer), mobile number and/or WhatsApp's business-scoped user id (a
 * username user may come without a number), and the invitation e-mail for AVG notices.
 * The row is deleted at opt-out or erasure (R11, R15).
 */
@Entity({ name: 'subscriber' })
@Check('ck_subscriber_identity', 'phone IS NOT NULL OR user_id IS NOT NULL')
@Index('ix_subscriber_status_customer', ['status', 'customerId'])
export class Subscriber {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  /** WhatsApp id: the number in international form, digits only (e.g. 31612345678); null for a username user Meta keeps it from. */
  @Index('uq_subscriber_phone', { unique: true })
  @Column({ name: 'phone', type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  /** WhatsApp's business-scoped user id (e.g. NL.13491208655302741918), once a webhook carried it. */
  @Index('uq_subscriber_user_id', { unique: true })
  @Column({ name: 'user_id', type: 'varchar', length: 140, nullable: true })
  userId!: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 100, nullable: true })
  firstName!: string | null;

  @ManyToOne(() => Customer, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_subscriber_customer' })
  customer!: Customer;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ name: 'email', type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'status', type: 'enum', enum: SubscriberStatus, enumName: 'subscriber_status', default: SubscriberStatus.PendingName })
  status!: SubscriberStatus;

  /** Last inbound message: opens WhatsApp's 24 h window for free text. */
  @Column({ name: 'last_inbound_at', type: 'timestamptz', nullable: true })
  lastInboundAt!: Date | null;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  /** When we asked whether they meant to opt out (signup/conversation.ts): a "JA" within a day erases them. */
  @Column({ name: 'opt_out_asked_at', type: 'timestamptz', nullable: true })
  optOutAskedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
