/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the system user
 * "postgres". That user must reach the binaries and the data: every folder above them needs
 * its search bit for it. A checkout in a folder only root may enter (root's home, a container's
 * usual place) is out of its reach; rather than open that folder up, the binaries are copied
 * once to /var/cache/storingsmelder and the data gets a folder of its own in
 * /var/lib/storingsmelder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PostgresUser {
  uid: number;
  gid: number;
}

/** Where copies go when the originals are out of the postgres user's reach. */
export const SHARED_PLACES = { binaries: '/var/cache/storingsmelder', data: '/var/lib/storingsmelder' };

/** The system user "postgres" when we run as root (created if missing); undefined otherwise. */
export function postgresUser(): PostgresUser | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('could not create the system user "postgres" to run the embedded database');
  return created;
}

/** Whether the user may pass through every folder from / down to (and including) dir. */
export async function reachable(dir: string, user: PostgresUser): Promise<boolean> {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = path.sep + parts.slice(0, i).join(path.sep);
    const stat = await fs.stat(folder);
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
  }
  return true;
}

function unreachable(what: string, dir: string, error: unknown): Error {
  return new Error(
    `embedded PostgreSQL cannot run here: as root it runs as the user "postgres", which cannot reach ${what} in ${dir}, and ${(error as Error).message}; ` +
      'set DATABASE_URL to a PostgreSQL server, run as a user other than root, or move the checkout to a folder others may enter',
  );
}

/** The binaries folder (native/) where the postgres user can run them: as it is, or a shared copy. */
export async function reachableBinaries(nativeDir: string, user: PostgresUser | undefined): Promise<string> {
  if (!user || (await reachable(path.join(nativeDir, 'bin'), user))) return nativeDir;
  // Keyed by the server binary's content: one copy per PostgreSQL build, whoever asks.
  const key = createHash('sha256').update(await fs.readFile(path.join(nativeDir, 'bin', 'postgres'))).digest('hex').slice(0, 16);
  const target = path.join(SHARED_PLACES.binaries, `postgres-${key}`);
  if (existsSync(path.join(target, '.complete'))) return target;
  try {
    await fs.mkdir(SHARED_PLACES.binaries, { recursive: true, mode: 0o755 });
    const partial = `${target}.${process.pid}.partial`;
    await fs.cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await fs.writeFile(path.join(partial, '.complete'), '');
    await fs.rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use that one.
      await fs.rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(target, '.complete'))) throw error;
    });
  } catch (error) {
    throw unreachable('the PostgreSQL binaries', nativeDir, error);
  }
  return target;
}

/**
 * The folder for the cluster: dataDir when the postgres user can reach it (search bits added
 * to folders of ours, never to anyone else's), otherwise a folder of its own under
 * /var/lib/storingsmelder, the same one for the same dataDir every time.
 */
export async function reachableDataDir(dataDir: string, user: PostgresUser | undefined): Promise<string> {
  const resolved = path.resolve(dataDir);
  await fs.mkdir(resolved, { recursive: true, mode: user ? 0o711 : 0o700 });
  if (!user) return resolved;
  // Pass through, not list: the traverse bits only, on our own folder and its parent (the
  // parent only if ours and without them: /tmp's mode stays as it is).
  await fs.chmod(resolved, 0o711);
  const parent = await fs.stat(path.dirname(resolved));
  if ((parent.mode & 0o001) === 0 && parent.uid === os.userInfo().uid) await fs.chmod(path.dirname(resolved), (parent.mode & 0o7777) | 0o011);
  if (await reachable(resolved, user)) return resolved;
  const target = path.join(SHARED_PLACES.data, `embedded-${createHash('sha256').update(resolved).digest('hex').slice(0, 16)}`);
  try {
    await fs.mkdir(SHARED_PLACES.data, { recursive: true, mode: 0o755 });
    await fs.mkdir(target, { recursive: true, mode: 0o711 });
  } catch (error) {
    throw unreachable('the data folder', resolved, error);
  }
  return target;
}
