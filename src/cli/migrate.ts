/** `npm run migrate`: runs pending migrations (also done on every start); `-- --revert` undoes the last one. */
import { runWithDatabase } from './run';

// Opening the database runs the pending migrations.
runWithDatabase('migration', async (dataSource) => {
  if (process.argv.includes('--revert')) {
    await dataSource.undoLastMigration({ transaction: 'each' });
    process.stdout.write('reverted the last migration\n');
  } else {
    process.stdout.write('database schema is up to date\n');
  }
});
