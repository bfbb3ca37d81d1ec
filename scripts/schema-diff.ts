/**
 * Prints the SQL TypeORM would need to bring a database in line with the entities: the
 * starting point for a new migration, to be reviewed and edited by hand, never run blindly.
 * Usage: node dist/scripts/schema-diff.js <DATABASE_URL>
 */
import { createDataSource } from '../src/db/data-source';

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: schema-diff <DATABASE_URL>');
  const dataSource = await createDataSource({ url }).initialize();
  await dataSource.runMigrations();
  const sql = await dataSource.driver.createSchemaBuilder().log();
  process.stdout.write('// up\n');
  for (const q of sql.upQueries) process.stdout.write(`await queryRunner.query(${JSON.stringify(q.query)});\n`);
  process.stdout.write('// down\n');
  for (const q of sql.downQueries.reverse()) process.stdout.write(`await queryRunner.query(${JSON.stringify(q.query)});\n`);
  await dataSource.destroy();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
