/**
 * One instance keeps the cards (issue 25, services/notices/status-cards.ts, bots/feature.ts):
 * with two instances and 10 notices on cards, one instance rewrites them (the lease), each card
 * once when it first needs it and again only when its figures change; a paused notice's card is
 * left alone after its last change. (Before: every instance rewrote every sending or paused card
 * every 5 s, 2 x 10 x 12 = 240 rewrites a minute.)
 */
import { expect } from 'chai';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { BotConnectorStandIn } from '../helpers/bot-connector';
import { seedSubscribers, startBroadcast } from '../helpers/broadcast';
import { testDataDir, testErasureLog } from '../helpers/data-dir';
import { memoryLogger } from '../helpers/logger';
import { freshDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';

describe('the status-card refresher', function () {
  this.timeout(90_000);
  const apps: App[] = [];
  const databases: Database[] = [];
  let connector: BotConnectorStandIn;

  after(async () => {
    for (const app of apps) await app.close();
    for (const database of databases) await database.close();
    await connector.stop();
  });

  it('runs on one of two instances and rewrites a card only when it changed (10 paused notices: 10 rewrites, then none; one changed: one more)', async () => {
    connector = new BotConnectorStandIn();
    await connector.start();
    const url = await freshDatabase();
    const config = loadConfig({ ERASURE_LOG: testErasureLog(), DATA_DIR: testDataDir(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
    for (let i = 0; i < 2; i++) {
      const database = await openDatabase({ url, dataDir: testDataDir(), logger: memoryLogger().logger });
      databases.push(database);
      const app = await createApp(config, database, memoryLogger().logger, 'teams');
      await app.listen(0, '127.0.0.1');
      apps.push(app);
    }
    const db = databases[0].dataSource;
    await seedSubscribers(db, 3, 31693000000);
    // 10 notices, each on its card in a chat, paused by Meta.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await startBroadcast(db));
    await db.query(
      `UPDATE outage_message SET status = 'paused', pause_scope = 'account', pause_code = 190, card_activity_id = 'card-' || id,
              conversation_reference = jsonb_build_object('serviceUrl', $1::text, 'channelId', 'msteams', 'conversation', jsonb_build_object('id', 'chat-1', 'conversationType', 'personal'), 'user', jsonb_build_object('id', '29:staff-user'), 'bot', jsonb_build_object('id', 'bot'))`,
      [connector.url],
    );
    const rewrites = () => connector.calls.filter((c) => c.method === 'PUT');
    await waitFor(() => rewrites().length >= 10, { timeoutMs: 20_000, what: 'every card rewritten once' });
    // Three more passes (every 5 s, on either instance): nothing changed, nothing rewritten.
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    expect(rewrites().map((c) => c.path.split('/').at(-1)).sort()).to.deep.equal(ids.map((id) => `card-${id}`).sort());

    // One notice's figures move (a recipient read it): that card alone is rewritten.
    await db.query(`UPDATE delivery SET status = 'read', read_at = now() WHERE id = (SELECT min(id) FROM delivery WHERE outage_message_id = $1)`, [ids[3]]);
    await waitFor(() => rewrites().length === 11, { timeoutMs: 20_000, what: 'the changed card rewritten' });
    expect(rewrites().at(-1)!.path.endsWith(`card-${ids[3]}`)).to.equal(true);
    process.stdout.write(`      (2 instances, 10 paused notices: ${rewrites().length} rewrites in about 35 s; before: 240 a minute)\n`);
  });
});
