/**
 * Fail closed (issue: a misconfigured host must never reach subscribers): the production
 * command, run as an operator would with settings left out, refuses in one line; local mode
 * exists only under the development commands' --local switch, never with NODE_ENV=production
 * or a public address, and says so when it starts.
 */
import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/lib/free-port';
import { testDataDir } from '../helpers/data-dir';
import { freshDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';
import { TEST_PSEUDONYM_KEYS } from '../helpers/keys';

const ENTRY = path.resolve(__dirname, '../../src/index.js');
const WHATSAPP = { WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922', WHATSAPP_APP_SECRET: 'secret', WHATSAPP_VERIFY_TOKEN: 'verify' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The entry point with only this environment; stopped once `until` has seen enough output. */
function run(args: string[], env: Record<string, string>, until?: (output: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, ...args], { env: { ...baseEnv(), DATA_DIR: testDataDir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const seen = () => {
      if (until?.(out.stdout + out.stderr)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (c: Buffer) => ((out.stdout += c.toString()), seen()));
    child.stderr.on('data', (c: Buffer) => ((out.stderr += c.toString()), seen()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, ...out }));
  });
}

describe('security: fail closed', function () {
  this.timeout(30_000);

  it('the production command without any credentials refuses to start, in one line naming what is missing', async () => {
    const result = await run([], {});
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      'configuration error: credentials missing: MicrosoftAppId (the Teams bot would accept anyone) and WHATSAPP_ACCESS_TOKEN (WhatsApp would be simulated); the production command never runs without them (npm start runs locally, for development)',
    ]);
  });

  it('the production command with WhatsApp credentials but none for the bot (mixed) refuses too, NODE_ENV unset', async () => {
    const result = await run(['all'], WHATSAPP);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^configuration error: credentials missing: MicrosoftAppId \(the Teams bot would accept anyone\); /);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
  });

  it('refuses the local switch with NODE_ENV=production or a public PUBLIC_BASE_URL', async () => {
    const production = await run(['all', '--local'], { NODE_ENV: 'production' });
    expect(production.code).to.equal(1);
    expect(production.stderr).to.include('configuration error: NODE_ENV: local mode (npm start, npm run playground) is refused when NODE_ENV=production');
    const published = await run(['all', '--local'], { PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl' });
    expect(published.code).to.equal(1);
    expect(published.stderr).to.include('configuration error: PUBLIC_BASE_URL: local mode serves this computer only');
  });

  it('says in one start line which sides run locally, and listens on loopback only', async () => {
    const port = await freePort();
    const started = await run(['all', '--local'], { DATABASE_URL: await freshDatabase(), PORT: String(port), LOG_LEVEL: 'info', ...WHATSAPP }, (output) => output.includes('is listening'));
    const lines = started.stdout.split('\n').filter((line) => line.includes('local mode, loopback only'));
    expect(lines, started.stdout + started.stderr).to.have.length(1);
    expect(lines[0]).to.include('Teams bot without authentication');
    expect(lines[0]).not.to.include('WhatsApp simulated');
    expect(started.stdout).to.include(`Storingsmelder is listening on http://127.0.0.1:${port}`);
  });

  it('a split production deployment (node . teams, bot credentials only) runs nothing locally and answers through its proxy', async () => {
    const port = await freePort();
    const env = { ...baseEnv(), DATA_DIR: testDataDir(), DATABASE_URL: await freshDatabase(), PORT: String(port), LOG_LEVEL: 'info', MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg', PSEUDONYM_KEYS: TEST_PSEUDONYM_KEYS };
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, 'teams'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => output.includes('is listening') || child.exitCode !== null, { timeoutMs: 20_000, what: 'the service to listen' });
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
      expect(res.status, output).to.equal(200);
      expect(output).not.to.include('local mode');
      expect(output).not.to.include('WhatsApp simulator');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('a port already in use is one line, no stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const result = await run(['all', '--local'], { DATABASE_URL: await freshDatabase(), PORT: String(port) });
      expect(result.code).to.equal(1);
      expect(result.stderr.trim()).to.equal(`Storingsmelder could not start: port ${port} on 127.0.0.1 is already in use: stop what uses it, or set PORT`);
      expect(result.stdout + result.stderr).not.to.match(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
