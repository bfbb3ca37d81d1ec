/** `npm run playground` refuses what it must not run with, in one line, before starting anything. */
import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkBrowser, teamsClientStopped } from '../../src/cli/agents-playground';
import { freePort } from '../../src/lib/free-port';

const CLI = path.resolve(__dirname, '../../src/cli/playground.js');

async function listening(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return server;
}

describe('npm run playground refuses', function () {
  this.timeout(30_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-refuse-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function playground(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stderr: string }> {
    return promisify(execFile)(process.execPath, ['--disable-warning=DEP0111', CLI, ...args], { env: { ...baseEnv(), DATA_DIR: dataDir, ...env }, cwd: os.tmpdir(), timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
  }

  it('credentials, production or a real SMTP server, naming what to unset', async () => {
    const bot = await playground({ MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg' });
    expect(bot).to.deep.equal({ code: 1, stderr: 'npm run playground: the playground runs in local mode only, without credentials, and keeps mail on this machine; unset MicrosoftAppId (in the environment or .env)\n' });
    const mail = await playground({ SMTP_URL: 'smtp://smtp.example.nl:587' });
    expect(mail.stderr).to.match(/unset SMTP_URL \(in the environment or \.env\)\n$/);
    expect(mail.code).to.equal(1);
  });

  it('a port that is taken, saying which and what to do', async () => {
    const taken = await listening();
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const service = await playground({ PORT: String(port) });
      expect(service).to.deep.equal({ code: 1, stderr: `npm run playground: port ${port} is taken (is npm start running?): stop what listens there, or set PORT\n` });
      const spare = await listening();
      const free = (spare.address() as net.AddressInfo).port;
      await new Promise((resolve) => spare.close(resolve));
      const teams = await playground({ PORT: String(free) }, ['--teams-port', String(port)]);
      expect(teams.stderr).to.equal(`npm run playground: port ${port} for the Agents Playground is taken (is another playground running?): stop it, or use npm run playground -- --teams-port <port>\n`);
    } finally {
      taken.close();
    }
  });
});

describe('npm run playground on a machine without a desktop', function () {
  this.timeout(120_000);

  it('opens no browser where xdg-open is missing, prints its pages and keeps running until Ctrl-C', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-headless-'));
    // A PATH with every command but xdg-open (links in a folder of their own), a display that
    // says "desktop", and no CI: only the missing xdg-open can keep the browser shut.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-no-xdg-open-'));
    for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '' && existsSync(d))) {
      for (const name of readdirSync(dir)) if (name !== 'xdg-open' && !existsSync(path.join(bin, name))) symlinkSync(path.join(dir, name), path.join(bin, name));
    }
    const [port, teamsPort] = [await freePort(), await freePort()];
    const env = { ...baseEnv(), PATH: bin, HOME: dataDir, DISPLAY: ':0', DATA_DIR: dataDir, PORT: String(port), BUSINESS_HOURS: 'always' };
    const cli = spawn(process.execPath, ['--disable-warning=DEP0111', CLI, '--teams-port', String(teamsPort)], { env, cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('Ctrl-C stops everything')) {
        if (cli.exitCode !== null || Date.now() > deadline) throw new Error(`npm run playground did not become ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).to.include('No browser was opened (xdg-open is not installed): open the addresses above in one.');
      for (const page of [`http://localhost:${teamsPort}`, `http://localhost:${port}/playground`, `http://localhost:${port}/tab`]) {
        expect(output).to.include(page);
        expect((await fetch(page)).status, page).to.equal(200);
      }
      // Still running once its pages answered: the Agents Playground did not die trying to open a browser (it does so right after it listens).
      expect(cli.exitCode, output).to.equal(null);
      const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
      cli.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the Agents Playground', () => {
  it('opens a browser only on a desktop with xdg-open, never in CI', () => {
    const withXdgOpen = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-xdg-'));
    writeFileSync(path.join(withXdgOpen, 'xdg-open'), '#!/bin/sh\n', { mode: 0o755 });
    try {
      expect(checkBrowser({ PATH: withXdgOpen, DISPLAY: ':0' }, 'linux')).to.deep.equal({ open: true });
      expect(checkBrowser({ PATH: withXdgOpen, WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).to.deep.equal({ open: true });
      expect(checkBrowser({ PATH: withXdgOpen }, 'linux')).to.deep.include({ open: false, why: 'no desktop here (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
      expect(checkBrowser({ PATH: '/nonexistent', DISPLAY: ':0' }, 'linux')).to.deep.include({ open: false, why: 'xdg-open is not installed' });
      expect(checkBrowser({ PATH: withXdgOpen, DISPLAY: ':0', CI: 'true' }, 'linux')).to.deep.include({ open: false, why: 'CI is set' });
      expect(checkBrowser({ PATH: withXdgOpen, DISPLAY: ':0', CI: 'false' }, 'linux').open).to.equal(true);
      expect(checkBrowser({ TEAMSAPPTESTER_BROWSER: 'none' }, 'darwin').open).to.equal(false);
      expect(checkBrowser({}, 'darwin').open).to.equal(true);
    } finally {
      rmSync(withXdgOpen, { recursive: true, force: true });
    }
  });

  it('says why it stopped, in its own words, and what to do', () => {
    const browserFailure = teamsClientStopped(1, ['Listening on 56150', 'Error: spawn xdg-open ENOENT'], [], '/data/devTools/m365agentsplayground.log', 'http://localhost:3978/api/messages', 56150);
    expect(browserFailure.split('\n')).to.deep.equal([
      'the Microsoft 365 Agents Playground stopped (exit 1); the service stops too.',
      '  it printed: Listening on 56150',
      '  it printed: Error: spawn xdg-open ENOENT',
      'It could not open a browser: run again with TEAMSAPPTESTER_BROWSER=none and open the addresses yourself.',
    ]);
    const other = teamsClientStopped(1, [], ['[error] Failed to load config'], '/data/devTools/m365agentsplayground.log', 'http://localhost:3978/api/messages', 56150);
    expect(other).to.include('  its log:    [error] Failed to load config');
    expect(other).to.include('run it alone: npx agentsplayground -e http://localhost:3978/api/messages -c msteams -p 56150 (its log: /data/devTools/m365agentsplayground.log)');
  });
});
