import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What kind of conversation reply a service message was (the sign-up dialogue, an opt-out, the one-way pointer). */
export enum ServiceMessageKind {
  SignUp = 'sign_up',
  OptOut = 'opt_out',
  OneWay = 'one_way',
}

/** What a monthly count counts: notices Meta reported billable, or service messages of a kind. */
export type MessageCountKind = 'notice' | ServiceMessageKind;

/**
 * Messages Meta bills, per month and kind (docs/platform.md A3): billable notices (counted when
 * their status first says so) and the conversation's service messages (billed since 1 October
 * 2026). The tab shows each month with an estimate. Counts only: no recipient, no text (R5).
 */
@Entity({ name: 'message_count' })
export class MessageCount {
  /** The first day of the month (Europe/Amsterdam). */
  @PrimaryColumn({ name: 'month', type: 'date', primaryKeyConstraintName: 'pk_message_count' })
  month!: string;

  @PrimaryColumn({ name: 'kind', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_message_count' })
  kind!: MessageCountKind;

  @Column({ name: 'count', type: 'integer', default: 0 })
  count!: number;
}
