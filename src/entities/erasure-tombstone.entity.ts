import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The database's half of an erasure's tombstone (services/privacy/erasure-log.ts): its id, so
 * that a line of the erasure log the database does not know reveals a restore. Nothing personal
 * once the log has its line.
 */
@Entity({ name: 'erasure_tombstone' })
@Index('ix_erasure_tombstone_pending', ['createdAt'], { where: 'pending_line IS NOT NULL' })
export class ErasureTombstone {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'pk_erasure_tombstone' })
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Its erasure-log line (keyed hashes, no number), only until the log has it: then NULL. */
  @Column({ name: 'pending_line', type: 'text', nullable: true })
  pendingLine!: string | null;
}
