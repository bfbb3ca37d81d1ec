import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { OutageMessage } from './outage-message.entity';

export enum OutageService {
  Internet = 'internet',
  Voip = 'voip',
  InternetVoip = 'internet_voip',
}

export enum OutageScope {
  Landelijk = 'landelijk',
  Regionaal = 'regionaal',
}

export enum OutageSeverity {
  Laag = 'laag',
  Middel = 'middel',
  Hoog = 'hoog',
}

export enum OutageStatus {
  Open = 'open',
  Resolved = 'resolved',
  Cancelled = 'cancelled',
}

/** A KPN outage as staff reported it; its messages (initial, updates, resolved) share the audience. */
@Entity({ name: 'outage' })
@Index('ix_outage_created', ['createdAt'])
export class Outage {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id!: string;

  @Column({ name: 'service', type: 'enum', enum: OutageService, enumName: 'outage_service' })
  service!: OutageService;

  @Column({ name: 'scope', type: 'enum', enum: OutageScope, enumName: 'outage_scope' })
  scope!: OutageScope;

  /** Province codes for a regional outage; empty for landelijk. */
  @Column({ name: 'regions', type: 'text', array: true, default: () => "'{}'" })
  regions!: string[];

  @Column({ name: 'severity', type: 'enum', enum: OutageSeverity, enumName: 'outage_severity' })
  severity!: OutageSeverity;

  @Column({ name: 'status', type: 'enum', enum: OutageStatus, enumName: 'outage_status', default: OutageStatus.Open })
  status!: OutageStatus;

  /** Entra ID object id of the author. */
  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @OneToMany('OutageMessage', (message: OutageMessage) => message.outage)
  messages!: OutageMessage[];
}
