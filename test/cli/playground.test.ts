/** `npm run playground` refuses what it must not run with, in one line, before starting anything. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

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
    return promisify(execFile)(process.execPath, ['--disable-warning=DEP0111', CLI, ...args], { env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env }, cwd: os.tmpdir(), timeout: 20_000 }).then(
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
