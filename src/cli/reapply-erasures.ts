/**
 * `npm run restore:reapply-erasures`: after restoring a database backup, erases again everyone
 * who opted out or was erased after the backup (services/privacy/restore.ts). Sending stays
 * refused until this has run. Safe to run more than once. Exits 0 only when every erasure of
 * the log that this database lacked has been applied with its own key; a line it cannot match
 * stops it with exit code 1 and nothing changed.
 */
import { erasureLogFailures, erasureLogPath } from '../services/privacy/erasure-log';
import { reapplyErasures, type ReapplyResult } from '../services/privacy/restore';
import { runWithDatabase } from './run';

runWithDatabase('restore:reapply-erasures', async (dataSource, config) => {
  // The erasures made again are logged too; one that cannot be written waits in the database for the service.
  erasureLogFailures.on('failed', (error) => process.stderr.write(`warning: ${error.message}: its line waits in the database and the service appends it once it can\n`));
  const result = await reapplyErasures(dataSource, config);
  process.stdout.write(`${report(result, erasureLogPath(config)).join('\n')}\n`);
});

function report(result: ReapplyResult, log: string): string[] {
  const foreign = result.foreign > 0 ? [`${result.foreign} line(s) of ${log} belong to another database and were left alone (if you restored that one, point DATABASE_URL at it and run this again)`] : [];
  if (result.tombstones === 0) return [`nothing to reapply: database ${result.database} holds every one of its erasures in ${log}`, ...foreign];
  return [
    `database ${result.database}: ${result.tombstones} erasure(s) in ${log} were missing from it, each matched with the key that made it:`,
    `  ${result.matched} matched a subscriber of the backup: ${result.erased} subscriber row(s) erased again`,
    `  ${result.unmatched} matched nobody in the backup (signed up after it, or gone already): nothing to erase`,
    ...(result.legacy > 0 ? [`  ${result.legacy} of them are lines from before key versions, matched with version 0 of PSEUDONYM_KEYS: that must be the WhatsApp app secret of that time (nothing can verify it; if more matched nobody than you expect, check it)`] : []),
    ...foreign,
    'every erasure is applied again; sending may resume',
  ];
}
