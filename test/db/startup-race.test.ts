/** Two instances starting at the same moment against an empty database: both come up, the schema is made once. */
import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/migrations';
import { emptyDatabase } from '../helpers/postgres';
import { freePort } from '../../src/lib/free-port';

const ENTRY = path.resolve(__dirname, '../../src/index.js');

describe('two instances starting together on an empty database', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-race-'))));
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('both serve, migrations and the job queues exist once', async () => {
    const url = await emptyDatabase();
    const ports = [await freePort(), await freePort()];
    const output: string[] = ['', ''];
    ports.forEach((port, i) => {
      const child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, 'all', '--local'], { env: { ...baseEnv(), DATABASE_URL: url, PORT: String(port), DATA_DIR: path.join(dir, String(i)), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => (output[i] += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output[i] += c.toString()));
      children.push(child);
    });
    for (const [i, port] of ports.entries()) {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (up) break;
        if (children[i].exitCode !== null || Date.now() > deadline) throw new Error(`instance ${i + 1} did not come up:\n${output[i]}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Neither logged an error on the way (a lost race on pg-boss's schema is logged, then retried).
    for (const out of output) expect(out).not.to.match(/\bERROR\b|\bFATAL\b|"level":(50|60)/);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const migrations = (await client.query<{ name: string }>('SELECT name FROM typeorm_migrations')).rows.map((r) => r.name);
      expect(migrations).to.have.length(MIGRATIONS.length);
      expect(new Set(migrations).size).to.equal(MIGRATIONS.length);
      const queues = (await client.query<{ name: string }>('SELECT name FROM pgboss.queue ORDER BY name')).rows.map((r) => r.name);
      expect(queues).to.include.members(['delivery-retention', 'email-flush', 'release-held-notices', 'whatsapp-account', 'whatsapp-housekeeping']);
    } finally {
      await client.end();
    }
  });
});
