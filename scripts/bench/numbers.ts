/** Figures from raw measurements: percentiles, rates, the busiest second, a process's peak memory and CPU time. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The most arrivals within any one-second window (sliding, not calendar seconds). */
export function maxInAnySecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + 1000) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

/**
 * Arrivals per second in steady state: the first and the last second (start-up, tail) left
 * out. A run shorter than 3 s has no steady part: then the whole span counts.
 */
export function steadyRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (sorted.length < 2 || last === first) return NaN;
  if (last - first < 3000) return (sorted.length - 1) / ((last - first) / 1000);
  const steady = sorted.filter((t) => t >= first + 1000 && t <= last - 1000);
  return steady.length / ((steady[steady.length - 1] - steady[0]) / 1000);
}

/** Peak resident memory of a process in MB (Linux: VmHWM, the high-water mark). */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Linux's clock ticks per second (CLK_TCK): /proc/<pid>/stat counts CPU time in them. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds (user + system) a process used so far, from /proc/<pid>/stat; with `reaped`, also
 * what its finished children used (PostgreSQL's backends are the postmaster's children).
 */
export function cpuSeconds(pid: number, reaped = false): number {
  try {
    // The command name may hold spaces: the fields after it start past the closing bracket.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
    return (utime + stime + (reaped ? cutime + cstime : 0)) / CLOCK_TICKS;
  } catch {
    return 0; // gone
  }
}

/** CPU seconds of a PostgreSQL server and all its backends, from its data directory; undefined when it is not local. */
export function postgresCpuSeconds(dataDir: string): number | undefined {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  let total = cpuSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[1]) === postmaster) total += cpuSeconds(Number(entry));
    } catch {
      // a process that just ended
    }
  }
  return total;
}
