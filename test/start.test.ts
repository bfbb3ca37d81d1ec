import { expect } from 'chai';
import { baseEnv } from './helpers/child-env';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ENTRY = path.resolve(__dirname, '../src/index.js');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real entry point with only the given environment (plus PATH). */
function runEntry(env: Record<string, string>, untilHealthy?: (port: number) => Promise<void>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, 'all', '--local'], {
      env: { ...baseEnv(), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    if (untilHealthy) {
      untilHealthy(Number(env.PORT))
        .then(() => child.kill('SIGTERM'))
        .catch((error: Error) => {
          child.kill('SIGKILL');
          reject(error);
        });
    }
  });
}

async function waitForHealth(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no healthy answer within 30 s');
}

describe('starting the service', function () {
  this.timeout(60_000);

  it('prints one line and exits 1 when the database cannot be reached', async () => {
    const result = await runEntry({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.match(/^Storingsmelder could not start: the database at 127\.0\.0\.1:1\/x cannot be reached/);
    expect(result.stderr).not.to.match(/\n\s+at /);
  });

  it('prints one line per bad variable and exits 1', async () => {
    const result = await runEntry({ PORT: 'x', BUSINESS_HOURS: 'sometimes' });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      'configuration error: PORT: expected a TCP port (a whole number)',
      'configuration error: BUSINESS_HOURS: expected e.g. "mon-fri 08:30-17:00 Europe/Amsterdam" or "always"',
    ]);
  });

  it('starts on the embedded database, stops on SIGTERM and keeps its data for the next start', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-start-'));
    try {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const env = { DATA_DIR: dataDir, PORT: String(port) };
      const first = await runEntry(env, waitForHealth);
      expect(first.code, first.stderr).to.equal(0);

      // Leave a mark in the embedded database between the two runs.
      const { Client } = await import('pg');
      const { startEmbeddedPostgres } = await import('../src/db/embedded-postgres');
      const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres') });
      const client = new Client({ connectionString: server.url.replace(/\/postgres$/, '/storingsmelder') });
      await client.connect();
      await client.query("INSERT INTO customer (customer_number, name) VALUES ('C-42', 'Blijvend BV')");
      await client.end();
      await server.stop();

      const second = await runEntry(env, async (p) => {
        await waitForHealth(p);
      });
      expect(second.code, second.stderr).to.equal(0);
      const again = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres') });
      const check = new Client({ connectionString: again.url.replace(/\/postgres$/, '/storingsmelder') });
      await check.connect();
      const { rows } = await check.query("SELECT name FROM customer WHERE customer_number = 'C-42'");
      await check.end();
      await again.stop();
      expect(rows).to.deep.equal([{ name: 'Blijvend BV' }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
