import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Staff actions and refusals (R15, R16). A subscriber is named only by a masked number
 * (+31 6 ****5678), never in full (R14).
 */
@Entity({ name: 'audit_event' })
@Index('ix_audit_event_created', ['createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'bigint' })
  id!: string;

  /** Entra ID object id of the staff member, or 'system'. */
  @Column({ name: 'actor', type: 'varchar', length: 64 })
  actor!: string;

  /** e.g. outage.send, subscriber.export, subscriber.erase, access.refused */
  @Column({ name: 'action', type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'outcome', type: 'varchar', length: 16, default: 'ok' })
  outcome!: string;

  /** Masked number, outage id or customer number; never personal data in full. */
  @Column({ name: 'target', type: 'varchar', length: 100, nullable: true })
  target!: string | null;

  @Column({ name: 'detail', type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
