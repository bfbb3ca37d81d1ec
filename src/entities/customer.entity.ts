import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A CBG Connect customer company (the registry of R1). Imported from the CRM as CSV. */
@Entity({ name: 'customer' })
export class Customer {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  @Index('uq_customer_number', { unique: true })
  @Column({ name: 'customer_number', type: 'varchar', length: 32 })
  customerNumber!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  /** Lower-case e-mail domains of the company, used to sanity-check invitations. */
  @Column({ name: 'email_domains', type: 'text', array: true, default: () => "'{}'" })
  emailDomains!: string[];

  /** Province codes (DR, FL, ... ZH) where the customer has a location: the regional audience. */
  @Column({ name: 'regions', type: 'text', array: true, default: () => "'{}'" })
  regions!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
