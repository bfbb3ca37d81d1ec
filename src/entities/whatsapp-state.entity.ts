import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * What Meta last told us about the WhatsApp account (webhooks and the hourly look-up): the
 * outage template's status and category, the number's quality rating and the messaging limit.
 * One row per subject: ('template', '<name>:<language>') or ('number', '<phone number id>').
 */
@Entity({ name: 'whatsapp_state' })
export class WhatsAppState {
  @PrimaryColumn({ name: 'subject', type: 'varchar', length: 16, primaryKeyConstraintName: 'pk_whatsapp_state' })
  subject!: 'template' | 'number';

  @PrimaryColumn({ name: 'key', type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_whatsapp_state' })
  key!: string;

  /** Template: APPROVED, PENDING, REJECTED, PAUSED, DISABLED ...; number: its quality rating (GREEN, YELLOW, RED). */
  @Column({ name: 'status', type: 'varchar', length: 40, nullable: true })
  status!: string | null;

  /** Template category: UTILITY, MARKETING, AUTHENTICATION. */
  @Column({ name: 'category', type: 'varchar', length: 40, nullable: true })
  category!: string | null;

  /** A recategorisation Meta announced (template_category_update's correct_category), until it happens or is withdrawn. */
  @Column({ name: 'announced_category', type: 'varchar', length: 40, nullable: true })
  announcedCategory!: string | null;

  /** When Meta said the announced category takes effect (category_update_timestamp). */
  @Column({ name: 'announced_category_at', type: 'timestamptz', nullable: true })
  announcedCategoryAt!: Date | null;

  /** Messaging limit tier of the number's business portfolio (TIER_250 ... TIER_UNLIMITED). */
  @Column({ name: 'messaging_limit', type: 'varchar', length: 40, nullable: true })
  messagingLimit!: string | null;

  /** The number as Meta displays it (+31 85 486 9699): the stappenplan tells subscribers to save it. */
  @Column({ name: 'display_number', type: 'varchar', length: 40, nullable: true })
  displayNumber!: string | null;

  /** Why Meta rejected, paused or disabled the template, as Meta says it. */
  @Column({ name: 'reason', type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The key of the number's row (subject 'number'): the Cloud API phone number id. One definition for its writer and its readers. */
export function numberStateKey(phoneNumberId: string): string {
  return phoneNumberId;
}
