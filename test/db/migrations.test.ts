import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { ENTITIES } from '../../src/entities';
import { emptyDatabase } from '../helpers/postgres';

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let dataSource: DataSource;

  before(async () => {
    dataSource = await createDataSource({ url: await emptyDatabase(), poolSize: 2 }).initialize();
  });
  after(async () => dataSource.destroy());

  it('create every table of docs/architecture.md (Data) (and the WhatsApp account state, the monthly message counts, the reply outbox, the erasure tombstones, the database identity, the card refresher lease, the staff roles) on an empty database', async () => {
    await dataSource.runMigrations();
    expect(await tables(dataSource)).to.have.members([
      'audit_event',
      'contact_throttle',
      'customer',
      'database_identity',
      'delivery',
      'email_notice',
      'erasure_tombstone',
      'inbound_message',
      'invitation',
      'lease',
      'message_count',
      'outage',
      'outage_message',
      'reply_outbox',
      'staff_role',
      'subscriber',
      'subscription_event',
      'whatsapp_state',
    ]);
  });

  it('leave nothing for the entities to change (migrations and entities agree)', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).to.deep.equal([]);
    expect(ENTITIES.map((e) => dataSource.getMetadata(e).tableName)).to.have.length(17);
  });

  it('revert down to an empty database and apply again', async () => {
    while ((await dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM typeorm_migrations'))[0].n > 0) {
      await dataSource.undoLastMigration();
    }
    expect(await tables(dataSource)).to.deep.equal([]);
    const types: unknown[] = await dataSource.query("SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'");
    expect(types).to.deep.equal([]);
    await dataSource.runMigrations();
    expect(await tables(dataSource)).to.have.length(18);
  });
});
