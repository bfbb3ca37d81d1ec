/**
 * A dispatcher in a process of its own, for the crash and failover tests (killed with SIGKILL
 * mid-broadcast). Env: DATABASE_URL, GRAPH_URL, MAX_MPS, STALE_MS. Tells its parent 'started',
 * and 'leader' / 'follower' as the dispatcher's lock comes and goes.
 */
import { createDataSource } from '../../src/db/data-source';
import { Dispatcher } from '../../src/services/dispatcher/dispatcher';
import { CloudApiClient } from '../../src/channels/whatsapp/cloud-api-client';
import { memoryLogger } from './logger';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL!;
  const db = await createDataSource({ url, poolSize: 5 }).initialize();
  const client = new CloudApiClient({ baseUrl: process.env.GRAPH_URL!, version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', templateLanguage: 'nl' });
  const dispatcher = new Dispatcher(db, client, memoryLogger().logger, {
    databaseUrl: url,
    phoneNumberId: 'PN',
    maxMps: Number(process.env.MAX_MPS ?? 200),
    staleMs: Number(process.env.STALE_MS ?? 60_000),
    idlePollMs: 100,
    pairGapMs: 0,
    onLeadership: (leader) => process.send?.(leader ? 'leader' : 'follower'),
  });
  dispatcher.start();
  process.on('SIGTERM', () => void dispatcher.stop().then(() => process.exit(0)));
  process.send?.('started');
}

void main();
