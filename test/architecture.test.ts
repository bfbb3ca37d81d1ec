/**
 * The dependency directions of STYLE.md, checked on the source (type-only imports count too):
 * - the Teams side and the WhatsApp side never import each other, and the bot cannot reach the
 *   WhatsApp channel even by type, through any chain of imports;
 * - bots/ reaches the domain only through services/staff-services.ts, never entities or TypeORM;
 * - signup/ and notices/ do not import each other; signup/ and privacy/ meet only at the seams
 *   named in SEAMS below;
 * - privacy/ is the only place that deletes subscriber data.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'tab' || name === 'page' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** Module ids relative to src/ without extension ('services/signup/customers'), or package names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  // from '...' and from "...", require(), import(), and bare side-effect imports.
  for (const match of text.matchAll(/(?:import|export)[^'"]*from\s+(['"])([^'"]+)\1|require\((['"])([^'"]+)\3\)|import\((['"])([^'"]+)\5\)|^import\s+(['"])([^'"]+)\7/gm)) {
    const spec = match[2] ?? match[4] ?? match[6] ?? match[8];
    found.push(spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec);
  }
  return found;
}

function moduleId(file: string): string {
  return path.relative(SRC, file).replace(/\.ts$/, '');
}

function fileOf(id: string): string | undefined {
  for (const candidate of [path.join(SRC, `${id}.ts`), path.join(SRC, id, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function violations(fromDir: string, forbidden: (spec: string) => boolean): string[] {
  return sourceFiles(path.join(SRC, fromDir)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((spec) => `${path.relative(SRC, file)} imports ${spec}`),
  );
}

/** Every module of ours reachable from the files of a folder, with the chain that reaches it. */
function reachableFrom(fromDir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = sourceFiles(path.join(SRC, fromDir)).map((file) => [moduleId(file)]);
  while (queue.length > 0) {
    const chain = queue.shift()!;
    const id = chain[chain.length - 1];
    if (seen.has(id)) continue;
    seen.set(id, chain);
    const file = fileOf(id);
    if (!file) continue;
    for (const spec of importsOf(file)) if (fileOf(spec) && !seen.has(spec)) queue.push([...chain, spec]);
  }
  return seen;
}

const DOMAIN = ['signup', 'notices', 'privacy', 'stats'] as const;

/**
 * The only imports allowed between the domain folders (from -> to: the files it may import).
 * Opting out in the conversation is an erasure (privacy); correcting a subscriber uses the
 * registry and the first-name rule of sign-up; the tab's figures include the WhatsApp account's
 * state. Everything else between them is a violation.
 */
const SEAMS: Record<string, string[]> = {
  'signup->privacy': ['services/privacy/erasure', 'services/privacy/contact-counters'],
  'privacy->signup': ['services/signup/customers', 'services/signup/opt-in-text'],
  'stats->notices': ['services/notices/whatsapp-account'],
};

/** SQL or repository calls that delete subscriber data or unlink a delivery from its recipient. */
const DELETES_SUBSCRIBER_DATA = [
  /DELETE\s+FROM\s+"?(subscriber|contact_throttle)\b/i,
  /\b(subscriber_id|phone)\s*=\s*NULL\b/i,
  /getRepository\((Subscriber|ContactThrottle)\)\s*\.\s*(delete|remove|softDelete|clear)\(/,
  /\.(delete|remove)\(\s*(Subscriber|ContactThrottle)\b/,
];

describe('architecture', () => {
  it('keeps the Teams bot and the WhatsApp channel apart', () => {
    expect(violations('bots', (s) => s.startsWith('services/whatsapp'))).to.deep.equal([]);
    expect(violations('services/whatsapp', (s) => s.startsWith('bots'))).to.deep.equal([]);
  });

  it('gives the bot no way to the WhatsApp channel or the composition root, even by type', () => {
    const reached = [...reachableFrom('bots')].filter(([id]) => id.startsWith('services/whatsapp') || id === 'app' || id === 'index');
    expect(reached.map(([, chain]) => chain.join(' -> '))).to.deep.equal([]);
  });

  it('lets bots/ reach the domain only through services/staff-services.ts, never entities or TypeORM', () => {
    const forbidden = (s: string) => (s.startsWith('services/') && s !== 'services/staff-services') || s.startsWith('entities') || s === 'typeorm' || s.startsWith('db/');
    expect(violations('bots', forbidden)).to.deep.equal([]);
  });

  it('lets only the domain services (and the data layer) use TypeORM repositories and queries', () => {
    for (const dir of ['bots', 'management']) {
      expect(violations(dir, (s) => s === 'typeorm' || s.startsWith('db/'))).to.deep.equal([]);
    }
  });

  it('keeps signup/ and notices/ apart, and the other domain folders to their named seams', () => {
    const found: string[] = [];
    for (const from of DOMAIN) {
      for (const to of DOMAIN) {
        if (from === to) continue;
        const allowed = SEAMS[`${from}->${to}`] ?? [];
        found.push(...violations(`services/${from}`, (s) => s.startsWith(`services/${to}/`) && !allowed.includes(s)));
      }
    }
    expect(found).to.deep.equal([]);
  });

  it('names seams that exist (a seam no longer used is removed from the list)', () => {
    for (const [pair, targets] of Object.entries(SEAMS)) {
      const from = pair.split('->')[0];
      const used = new Set(sourceFiles(path.join(SRC, 'services', from)).flatMap(importsOf));
      for (const target of targets) expect(used.has(target), `${pair}: ${target}`).to.equal(true);
    }
  });

  it('deletes subscriber data only in services/privacy/', () => {
    const privacy = path.join(SRC, 'services', 'privacy');
    const offenders = sourceFiles(SRC)
      .filter((file) => !file.startsWith(privacy + path.sep) && !file.includes(`${path.sep}migrations${path.sep}`))
      .filter((file) => DELETES_SUBSCRIBER_DATA.some((pattern) => pattern.test(readFileSync(file, 'utf8'))))
      .map((file) => path.relative(SRC, file));
    expect(offenders).to.deep.equal([]);
    // The check itself: it must see what privacy/ does.
    const privacyFiles = sourceFiles(privacy).filter((file) => DELETES_SUBSCRIBER_DATA.some((pattern) => pattern.test(readFileSync(file, 'utf8'))));
    expect(privacyFiles.map((file) => path.basename(file)).sort()).to.deep.equal(['contact-counters.ts', 'erasure.ts', 'retention.ts']);
  });
});
