import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeServer } from '../src/server';
import { ensureDatabase } from '../src/db/database';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/db/embedded-postgres';
import { loadConfig } from '../src/config';
import { createApp, type App } from '../src/app';
import { openDatabase, type Database } from '../src/db/database';
import { memoryLogger } from './helpers/logger';
import { startService } from './helpers/service';

describe('HTTP server', () => {
  let database: Database;
  let app: App;
  let base: string;

  before(async () => {
    ({ app, database, base } = await startService());
  });
  after(async () => {
    await app.close();
    await database.close();
  });

  it('answers /healthz 200 while the database answers', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok', database: 'up', erasureLog: 'ok' });
  });

  it('serves Prometheus metrics with request counters', async () => {
    await fetch(`${base}/healthz`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/text\/plain/);
    const body = await res.text();
    expect(body).to.match(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(body).to.include('http_request_duration_seconds_bucket');
    expect(body).to.include('process_cpu_user_seconds_total');
  });

  it('answers unknown routes with JSON and no stack trace', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).to.equal(404);
    const body = (await res.json()) as { error: string };
    expect(body.error).to.equal('not_found');
    expect(JSON.stringify(body)).not.to.match(/at .*\.js/);
  });

});

describe('HTTP server with its database stopped', () => {
  let dir: string;
  let postgres: RunningPostgres;
  let database: Database;
  let app: App;
  let base: string;

  before(async function () {
    this.timeout(60_000);
    // A server of its own, so stopping it harms no other test.
    dir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-health-'));
    postgres = await startEmbeddedPostgres({ dataDir: dir });
    const { logger } = memoryLogger();
    database = await openDatabase({ url: await ensureDatabase(postgres.url, 'health'), dataDir: dir, logger });
    app = await createApp(loadConfig({ DATA_DIR: dir }, { purpose: 'local' }), database, logger);
    base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  after(async () => {
    await closeServer(app.server);
    await Promise.allSettled([app.jobs.stop({ graceful: false, close: true, wait: false }), database.dataSource.destroy()]);
    // Stopped by the test already, unless it failed before: never leave a server running.
    await postgres.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz 503 after PostgreSQL stops, with a JSON reason', async () => {
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    await postgres.stop();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).to.equal(503);
    expect(await res.json()).to.deep.equal({ status: 'unavailable', database: 'down', erasureLog: 'ok' });
  });
});
