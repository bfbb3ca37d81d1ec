/**
 * `npm run restore:reapply-erasures`: after restoring a database backup, erases again everyone
 * who opted out or was erased after the backup (services/privacy/restore.ts). Sending stays
 * refused until this has run. Safe to run more than once.
 */
import { reapplyErasures } from '../services/privacy/restore';
import { erasureLogPath } from '../services/privacy/erasure-log';
import { runWithDatabase } from './run';

runWithDatabase('restore:reapply-erasures', async (dataSource, config) => {
  const { tombstones, erased } = await reapplyErasures(dataSource, config);
  process.stdout.write(
    tombstones === 0
      ? `nothing to reapply: the database holds every erasure of ${erasureLogPath(config)}\n`
      : `applied ${tombstones} erasure(s) from ${erasureLogPath(config)} that the database did not hold: ${erased} subscriber(s) erased again; sending may resume\n`,
  );
});
