/**
 * `npm run docs`: writes the parts of the documentation that are copies of the code, so they
 * cannot drift (test/docs.test.ts fails when a document differs from what this would write):
 * - docs/architecture.md, dependency rules: the checks of test/architecture.test.ts (their
 *   titles) and its declarations (test/architecture-rules.ts);
 * - docs/architecture.md, migrations: every file of src/migrations/, oldest first, with the
 *   first sentence of its comment;
 * - docs/configuration.md and .env.example, whole: from the settings reference
 *   (src/settings-reference.ts) and the schema's defaults.
 * A generated part stands between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEAMS, SERVICE_FOLDERS } from '../test/architecture-rules';
import { configurationDoc, envExample } from '../src/settings-reference';

const ROOT = path.resolve(__dirname, '../..');
export const ARCHITECTURE_DOC = path.join(ROOT, 'docs', 'architecture.md');

/** The documents written whole, by path from the project's root. */
export function wholeDocuments(): Record<string, string> {
  return { 'docs/configuration.md': configurationDoc(), '.env.example': envExample() };
}

/** The first sentence of the first doc comment in a source text. */
function firstSentence(source: string): string {
  const comment = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  const text = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
  return (/^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text).trim();
}

export function dependencyRules(): string {
  const test = readFileSync(path.join(ROOT, 'test', 'architecture.test.ts'), 'utf8');
  const checks = [...test.matchAll(/^\s*it\((['"])(.+?)\1,/gm)].map((match) => match[2].replace(/\\'/g, "'"));
  const list = (items: string[]) => (items.length ? items.map((item) => `\`${item}\``).join(', ') : 'nothing');
  return [
    `The checks of \`test/architecture.test.ts\`, one test each (static, dynamic and type-only imports all count):`,
    '',
    ...checks.map((check, index) => `${index + 1}. It ${check}.`),
    '',
    'What each folder (or top-level file) under `services/` may import (`SERVICE_FOLDERS` in `test/architecture-rules.ts`; a new folder fails the test until it is declared):',
    '',
    '| under services/ | may import |',
    '| --- | --- |',
    ...Object.entries(SERVICE_FOLDERS).map(([folder, allowed]) => `| \`${folder}\` | ${list(allowed)} |`),
    '',
    'Where one domain folder uses another, only these files (`SEAMS`; every seam listed must be in use):',
    '',
    '| from -> to | only |',
    '| --- | --- |',
    ...Object.entries(SEAMS).map(([pair, files]) => `| \`${pair.replace('->', ' -> ')}\` | ${list(files)} |`),
  ].join('\n');
}

export function migrationList(): string {
  const dir = path.join(ROOT, 'src', 'migrations');
  const files = readdirSync(dir)
    .filter((name) => /^\d+-.+\.ts$/.test(name))
    .sort();
  return files.map((name, index) => `${index + 1}. \`${name.replace(/\.ts$/, '')}\`: ${firstSentence(readFileSync(path.join(dir, name), 'utf8'))}`).join('\n');
}

/** The document with each generated part replaced by what the code says now. */
export function regenerate(text: string, parts: Record<string, string>): string {
  let result = text;
  for (const [name, body] of Object.entries(parts)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(result)) throw new Error(`no generated part "${name}" in the document`);
    result = result.replace(pattern, (_match, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return result;
}

export function architectureParts(): Record<string, string> {
  return { 'dependency-rules': dependencyRules(), migrations: migrationList() };
}

if (require.main === module) {
  const before = readFileSync(ARCHITECTURE_DOC, 'utf8');
  const after = regenerate(before, architectureParts());
  writeFileSync(ARCHITECTURE_DOC, after);
  process.stdout.write(before === after ? 'docs/architecture.md was up to date\n' : 'docs/architecture.md: generated parts rewritten\n');
  for (const [file, text] of Object.entries(wholeDocuments())) {
    const target = path.join(ROOT, file);
    let old = '';
    try {
      old = readFileSync(target, 'utf8');
    } catch {
      // A new document.
    }
    writeFileSync(target, text);
    process.stdout.write(old === text ? `${file} was up to date\n` : `${file}: rewritten\n`);
  }
}
