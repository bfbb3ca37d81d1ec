import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Customer } from './customer.entity';

export enum InvitationStatus {
  Open = 'open',
  Used = 'used',
  Revoked = 'revoked',
}

/**
 * A stappenplan sent by staff to a customer contact (R2). The sign-up code is single-use and
 * expires. The e-mail address is personal data: it moves to the subscriber when the code is
 * used and is cleared here (R5, R11).
 */
@Entity({ name: 'invitation' })
export class Invitation {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  @Index('ix_invitation_customer')
  @ManyToOne(() => Customer, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_invitation_customer' })
  customer!: Customer;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ name: 'email', type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Index('uq_invitation_code', { unique: true })
  @Column({ name: 'code', type: 'varchar', length: 16 })
  code!: string;

  @Column({ name: 'status', type: 'enum', enum: InvitationStatus, enumName: 'invitation_status', default: InvitationStatus.Open })
  status!: InvitationStatus;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** Entra ID object id of the staff member who sent it. */
  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
