import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum SubscriptionEventKind {
  OptIn = 'opt_in',
  OptOut = 'opt_out',
  Erasure = 'erasure',
}

/** Anonymous history of sign-ups and sign-offs for the management tab: no personal data. */
@Entity({ name: 'subscription_event' })
@Index('ix_subscription_event_occurred', ['occurredAt'])
export class SubscriptionEvent {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'bigint' })
  id!: string;

  @Column({ name: 'kind', type: 'enum', enum: SubscriptionEventKind, enumName: 'subscription_event_kind' })
  kind!: SubscriptionEventKind;

  /** Kept without a foreign key so history survives a customer's removal from the registry. */
  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId!: string | null;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
