/**
 * Where a service instance's CPU went, from the V8 profile it wrote (`--cpu-prof`): self time
 * per function and per part (our code, each package, Node's internals, the garbage collector).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { round } from './numbers';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Consumer {
  name: string;
  ms: number;
  /** Of the profile's busy time (idle excluded). */
  share: number;
}

export interface ProfileFigures {
  busyMs: number;
  topFunctions: Consumer[];
  topParts: Consumer[];
}

/** Where a function lives: our code (file and line), a package, Node itself, or V8's own work. */
function partOf(url: string): string {
  if (!url) return 'V8 and native (GC, compiler, program)';
  if (url.startsWith('node:')) return 'Node.js internals';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  return 'storingsmelder';
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const inPackage = /node_modules\/(.*)$/.exec(url);
  const where = inPackage ? inPackage[1] : url.startsWith('node:') ? url : path.relative(path.resolve(__dirname, '../..'), url.replace(/^file:\/\//, ''));
  return `${name} ${where}:${lineNumber + 1}`;
}

function top(totals: Map<string, number>, busy: number, count: number): Consumer[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: round(us / busy, 3) }));
}

/** Self time summed over every profile in `dir` (one per instance process). */
export function readProfiles(dir: string, count = 5): ProfileFigures {
  const byFunction = new Map<string, number>();
  const byPart = new Map<string, number>();
  let busy = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      if (node.callFrame.functionName === '(idle)') return;
      const us = profile.timeDeltas[i] ?? 0;
      busy += us;
      const name = label(node);
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      const part = partOf(node.callFrame.url);
      byPart.set(part, (byPart.get(part) ?? 0) + us);
    });
  }
  return { busyMs: Math.round(busy / 1000), topFunctions: top(byFunction, busy, count), topParts: top(byPart, busy, count) };
}
