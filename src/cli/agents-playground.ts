/**
 * The Microsoft 365 Agents Playground as `npm run playground` runs it: whether it may open a
 * browser, and what to say when it stops on its own.
 *
 * Whether it may open a browser: It opens one with
 * the `open` package, which runs `xdg-open` on Linux: where there is none (a server, a container,
 * WSL, CI) the Agents Playground exits 1 right after it started. So it opens a browser only on a
 * desktop, never in CI, and otherwise runs with TEAMSAPPTESTER_BROWSER=none (its own switch).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface BrowserCheck {
  open: boolean;
  /** Why no browser is opened, for the ready message. */
  why?: string;
}

/** An executable of that name on the PATH. */
function onPath(command: string, pathVariable: string | undefined): boolean {
  return (pathVariable ?? '').split(path.delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function checkBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): BrowserCheck {
  if (env.CI && !['false', '0'].includes(env.CI.toLowerCase())) return { open: false, why: 'CI is set' };
  if (env.TEAMSAPPTESTER_BROWSER === 'none') return { open: false, why: 'TEAMSAPPTESTER_BROWSER=none' };
  if (platform === 'darwin' || platform === 'win32') return { open: true };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { open: false, why: 'no desktop here (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  if (!onPath('xdg-open', env.PATH)) return { open: false, why: 'xdg-open is not installed' };
  return { open: true };
}

/** Why the Agents Playground stopped, in its own words, and what to do. */
export function teamsClientStopped(code: number | null, printed: string[], log: string[], logFile: string, botEndpoint: string, port: number): string {
  const said = [...printed.map((l) => `  it printed: ${l}`), ...log.map((l) => `  its log:    ${l}`)];
  const opening = [...printed, ...log].some((l) => /xdg-open|spawn .*ENOENT|open(ing)? (the )?browser/i.test(l));
  const todo = opening
    ? 'It could not open a browser: run again with TEAMSAPPTESTER_BROWSER=none and open the addresses yourself.'
    : `To see more, run it alone: npx agentsplayground -e ${botEndpoint} -c msteams -p ${port} (its log: ${logFile}).`;
  return [`the Microsoft 365 Agents Playground stopped (exit ${code ?? 'by a signal'}); the service stops too.`, ...(said.length ? said : ['  it said nothing.']), todo].join('\n');
}
