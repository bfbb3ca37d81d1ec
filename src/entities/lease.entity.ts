import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Work one instance does for all (the status-card refresher): who holds it, and until when. */
@Entity({ name: 'lease' })
export class Lease {
  @PrimaryColumn({ name: 'name', type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_lease' })
  name!: string;

  @Column({ name: 'holder', type: 'varchar', length: 64 })
  holder!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
