/**
 * Bounded work before authentication: 500 concurrent unsigned 3 MB posts from another process
 * (once 163 MB -> 778 MB, still 689 MB a minute later) are refused without being held, the
 * service's memory is back within 80 MB of idle within 60 s, and signed webhooks sent meanwhile
 * are all processed (retried on 503, as Meta retries).
 *
 * Why 80: after the flood-recovery collection V8's heap and external memory are back at idle
 * (54 and 4 MB here), but in about a third of the runs on Node 24 glibc keeps 56-61 MB of the
 * freed buffers' pages (holes its heap cannot trim; only malloc_trim, which Node does not offer,
 * would give them back), and RSS stays there; in the other runs it is within 35 MB. A leak of
 * the flood (once 689 MB a minute later) is still far above it.
 */
import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signBody } from '../../src/channels/whatsapp/webhook';
import { freePort } from '../../src/lib/free-port';
import { testDataDir } from '../helpers/data-dir';
import { freshDatabase } from '../helpers/postgres';
import { remote, type FloodResult } from '../helpers/remote-client';
import { waitFor } from '../helpers/wait';
import { statusWebhook, wamid } from '../helpers/whatsapp';

const ENTRY = path.resolve(__dirname, '../../src/index.js');
/** The WhatsApp simulator's app secret in local mode (config.ts). */
const LOCAL_APP_SECRET = 'local-app-secret';
const MB = 1024 * 1024;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

describe('security: a flood of unsigned bodies', function () {
  this.timeout(180_000);
  let child: ChildProcess;
  let base: string;

  before(async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, 'whatsapp', '--local'], {
      env: { ...baseEnv(), DATABASE_URL: await freshDatabase(), DATA_DIR: testDataDir(), PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, what: 'the service to start' });
  });

  after(() => {
    child.kill('SIGTERM');
  });

  /** A signed status webhook, posted until it is accepted (Meta retries a 503 the same way). */
  async function postSigned(): Promise<number> {
    const body = JSON.stringify(statusWebhook(wamid(), 'delivered', new Date()));
    for (let attempt = 0; attempt < 40; attempt++) {
      // A 503, or a connection closed at the connection cap: Meta retries both (here much faster).
      const status = await fetch(`${base}/webhooks/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(LOCAL_APP_SECRET, body) }, body }).then(
        async (res) => (await res.arrayBuffer(), res.status),
        () => 0,
      );
      if (status !== 503 && status !== 0) return status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return 503;
  }

  it('refuses the flood without holding it, processes signed webhooks meanwhile, and gives the memory back', async () => {
    for (let i = 0; i < 20; i++) expect(await postSigned()).to.equal(200);
    const idle = rssMb(child.pid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 50);
    const flood = remote<FloodResult>({ kind: 'flood', url: `${base}/webhooks/whatsapp`, count: 500, bytes: 3 * MB });
    const signed = await Promise.all(Array.from({ length: 20 }, () => postSigned()));
    const result = await flood;
    clearInterval(sampler);
    const refused = (result.statuses['503'] ?? 0) + (result.statuses.closed ?? 0);
    process.stdout.write(`      (RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB during the flood; flood answers ${JSON.stringify(result.statuses)} in ${result.ms} ms)\n`);
    expect(signed).to.deep.equal(Array(20).fill(200));
    expect(refused, JSON.stringify(result.statuses)).to.be.greaterThan(0);
    expect(result.statuses['200'] ?? 0).to.equal(0);
    const settled = Date.now();
    await waitFor(() => rssMb(child.pid!) <= idle + 80, { timeoutMs: 60_000, intervalMs: 500, what: `RSS within 80 MB of idle (${idle.toFixed(0)} MB)` });
    process.stdout.write(`      (RSS ${rssMb(child.pid!).toFixed(0)} MB ${((Date.now() - settled) / 1000).toFixed(1)} s after the flood)\n`);
  });
});
