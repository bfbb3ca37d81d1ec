/**
 * The dependency direction of STYLE.md, checked on the source: the Teams side and the WhatsApp
 * side never import each other, and only the domain services talk to TypeORM.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'tab' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/g)) {
    const spec = match[1] ?? match[2] ?? match[3];
    found.push(spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec);
  }
  return found;
}

function violations(fromDir: string, forbidden: (spec: string) => boolean): string[] {
  return sourceFiles(path.join(SRC, fromDir)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((spec) => `${path.relative(SRC, file)} imports ${spec}`),
  );
}

describe('architecture', () => {
  it('keeps the Teams bot and the WhatsApp channel apart', () => {
    expect(violations('bots', (s) => s.startsWith('services/whatsapp'))).to.deep.equal([]);
    expect(violations('services/whatsapp', (s) => s.startsWith('bots'))).to.deep.equal([]);
  });

  it('lets only the domain services (and the data layer) use TypeORM repositories and queries', () => {
    for (const dir of ['bots', 'management']) {
      expect(violations(dir, (s) => s === 'typeorm' || s.startsWith('db/'))).to.deep.equal([]);
    }
  });
});
