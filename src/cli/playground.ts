/**
 * `npm run playground`: the whole product on one machine, with no Microsoft or Meta account.
 * Starts the service in local mode (embedded PostgreSQL, the built-in Graph API stand-in, mail
 * as .eml files) with demo data, plus the Microsoft 365 Agents Playground as the Teams client,
 * waits until the three pages answer and prints them. One Ctrl-C stops both.
 * Options: --teams-port N (default 56150), for when that port is taken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config';
import { createApp, type App } from '../app';
import { openDatabase, type Database } from '../db/database';
import { createLogger } from '../logger';
import { seedDemo } from '../playground/demo';
import { playgroundAvailable } from '../playground/feature';
import { optInLine } from '../services/email/templates';
import { checkBrowser, teamsClientStopped, type BrowserCheck } from './agents-playground';

const started = Date.now();
const DEFAULT_TEAMS_PORT = 56150;

/** Settings the playground picks where the environment sets nothing (docs/development.md, npm run playground). */
const PLAYGROUND_DEFAULTS = {
  // A visitor in the evening should still see a notice arrive; set BUSINESS_HOURS to try R12.
  BUSINESS_HOURS: 'always',
  // So the mailbox shows the CRM copy of each AVG notice (a reserved domain: nothing is sent anyway).
  CRM_ARCHIVE_BCC: 'archief@crm.example',
  // The page shows what the service sends; the log keeps to warnings.
  LOG_LEVEL: 'warn',
};

class PlaygroundError extends Error {}

function teamsPortArgument(args: string[]): number {
  const index = args.indexOf('--teams-port');
  if (index < 0) return DEFAULT_TEAMS_PORT;
  const port = Number(args[index + 1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PlaygroundError('--teams-port: expected a TCP port (1-65535)');
  return port;
}

function configOrExplain(): Config {
  loadDotEnv();
  const config = loadConfig(process.env, { purpose: 'local', defaults: PLAYGROUND_DEFAULTS });
  if (!playgroundAvailable(config) || config.mail.smtpUrl) {
    const reasons = [config.production && 'NODE_ENV=production', !config.bot.localMode && 'MicrosoftAppId', !config.whatsapp.localMode && 'WHATSAPP_ACCESS_TOKEN', config.mail.smtpUrl && 'SMTP_URL'].filter(Boolean).join(', ');
    throw new PlaygroundError(`the playground runs in local mode only, without credentials, and keeps mail on this machine; unset ${reasons} (in the environment or .env)`);
  }
  return config;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    // Any address: the Agents Playground listens on all of them, and so would a running npm start.
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** Where the Agents Playground writes its log: devTools/ in its working folder, ours the data folder. */
function teamsClientLog(dataDir: string): string {
  return path.join(dataDir, 'devTools', 'm365agentsplayground.log');
}

function startTeamsClient(botEndpoint: string, port: number, dataDir: string, browser: BrowserCheck): ChildProcess {
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  // Its own process group: a Ctrl-C reaches us, and we stop it after the service has drained.
  const env = { ...process.env, M365_AGENTS_PLAYGROUND_LOGFILE: teamsClientLog(dataDir), ...(browser.open ? {} : { TEAMSAPPTESTER_BROWSER: 'none' }) };
  return spawn(process.execPath, [cli, '-e', botEndpoint, '-c', 'msteams', '-p', String(port), '--disable-telemetry'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** The last lines a child printed: shown only if it stops on its own, to say why. */
function lastLines(child: ChildProcess, keep = 20): () => string[] {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter((l) => l.trim() !== ''));
    lines.splice(0, Math.max(0, lines.length - keep));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => [...lines];
}

/** The end of the Agents Playground's own log, where it writes what went wrong. */
function logTail(file: string, keep = 10): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-keep);
  } catch {
    return [];
  }
}


function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function waitForPages(urls: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    while (!(await answers(url))) {
      if (Date.now() > deadline) throw new PlaygroundError(`${url} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let database: Promise<Database> | undefined;
let app: App | undefined;
let teams: ChildProcess | undefined;
let stopping = false;

/**
 * Stops what has started, in reverse order: the Teams client, the service, the database (also
 * one still starting: the embedded server runs in a process of its own and would stay behind).
 */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  let exitCode = code;
  try {
    if (teams) await stopChild(teams);
    await app?.close();
    await (await database?.catch(() => undefined))?.close();
  } catch (error) {
    process.stderr.write(`npm run playground: could not stop cleanly: ${(error as Error).message}\n`);
    exitCode = 1;
  }
  process.exit(exitCode);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  const teamsPort = teamsPortArgument(process.argv.slice(2));
  const config = configOrExplain();
  if (!(await portFree(config.port))) throw new PlaygroundError(`port ${config.port} is taken (is npm start running?): stop what listens there, or set PORT`);
  if (!(await portFree(teamsPort))) throw new PlaygroundError(`port ${teamsPort} for the Agents Playground is taken (is another playground running?): stop it, or use npm run playground -- --teams-port <port>`);
  const logger = createLogger({ level: config.logLevel, pretty: true });

  database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger });
  const opened = await database;
  const demo = await seedDemo(opened.dataSource, config);
  const teamsUrl = `http://localhost:${teamsPort}`;
  app = await createApp(config, opened, logger, 'all', { playground: true, teamsClientUrl: teamsUrl });
  // This machine only: local mode has no authentication.
  const port = await app.listen(config.port, '127.0.0.1');
  await app.context.email.flushSoon();
  const base = `http://localhost:${port}`;

  mkdirSync(config.dataDir, { recursive: true });
  const browser = checkBrowser(process.env);
  const dataDir = path.resolve(config.dataDir);
  const botEndpoint = `${base}/api/messages`;
  teams = startTeamsClient(botEndpoint, teamsPort, dataDir, browser);
  const printed = lastLines(teams);
  teams.once('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`${teamsClientStopped(code, printed(), logTail(teamsClientLog(dataDir)), teamsClientLog(dataDir), botEndpoint, teamsPort)}\n`);
    void stop(1);
  });
  await waitForPages([teamsUrl, `${base}/playground`, `${base}/tab`]);

  process.stdout.write(
    [
      '',
      `Storingsmelder playground is ready (${((Date.now() - started) / 1000).toFixed(1)} s). Open:`,
      `  Teams, the staff side (Microsoft 365 Agents Playground):  ${teamsUrl}`,
      `  WhatsApp phones and the mailbox:                          ${base}/playground`,
      `  Management tab:                                           ${base}/tab`,
      '',
      `Demo customer ${demo.customerName}. A phone signs up by sending this line (also in the stappenplan in the mailbox):`,
      `  ${optInLine(demo.code)}`,
      '',
      ...(browser.open ? [] : [`No browser was opened (${browser.why}): open the addresses above in one.`, '']),
      `Business hours: ${config.businessHours.always ? 'always open here (set BUSINESS_HOURS to try R12)' : 'as set in BUSINESS_HOURS'}. Ctrl-C stops everything.`,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  // One line per problem, no stack trace; then whatever had started is stopped.
  const lines = error instanceof ConfigError ? error.problems.map((p) => `configuration error: ${p}`) : [`npm run playground: ${error.message}`];
  process.stderr.write(`${lines.join('\n')}\n`);
  void stop(1);
});
