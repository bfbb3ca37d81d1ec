import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Staff compose and send, managers see the tab, administrators also grant roles (/rechten). */
export type StaffRoleName = 'staff' | 'manager' | 'admin';

/**
 * A role an administrator granted in Teams (/rechten), on top of the settings' bootstrap lists
 * (STAFF_AAD_OBJECT_IDS, MANAGER_AAD_OBJECT_IDS), so colleagues come and go without a restart.
 */
@Entity({ name: 'staff_role' })
@Check('ck_staff_role_role', `"role" IN ('staff', 'manager', 'admin')`)
export class StaffRole {
  /** The colleague's Entra ID object id. */
  @PrimaryColumn({ name: 'aad_object_id', type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_staff_role' })
  aadObjectId!: string;

  @PrimaryColumn({ name: 'role', type: 'varchar', length: 16, primaryKeyConstraintName: 'pk_staff_role' })
  role!: StaffRoleName;

  /** The name Teams showed for them when they last used the bot; null until then. */
  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  /** The administrator's object id. */
  @Column({ name: 'granted_by', type: 'varchar', length: 64 })
  grantedBy!: string;

  @Column({ name: 'granted_at', type: 'timestamptz', default: () => 'now()' })
  grantedAt!: Date;
}
