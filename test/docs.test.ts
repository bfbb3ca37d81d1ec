/**
 * The documents say what the code does: the parts that copy the code are generated
 * (scripts/docs.ts, `npm run docs`) and compared here, and the lists a newcomer relies on
 * (the settings in .env.example, the README's layout) are checked against the source.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SETTING_NAMES } from '../src/config';
import { architectureParts, ARCHITECTURE_DOC, migrationList, regenerate } from '../scripts/docs';
import { MIGRATIONS } from '../src/migrations';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the documents', () => {
  it('docs/architecture.md holds the dependency rules and the migrations as the code declares them (npm run docs rewrites them)', () => {
    const text = readFileSync(ARCHITECTURE_DOC, 'utf8');
    expect(text, 'run npm run docs and commit docs/architecture.md').to.equal(regenerate(text, architectureParts()));
    // The generator itself: it lists every migration and every check, and refuses a document without its markers.
    expect(migrationList().split('\n')).to.have.length(MIGRATIONS.length);
    expect(architectureParts()['dependency-rules']).to.include('It keeps the Teams bot and the WhatsApp channel apart.');
    expect(() => regenerate('no markers', architectureParts())).to.throw('no generated part "dependency-rules"');
  });

  it('.env.example names every setting the configuration accepts, and nothing else', () => {
    const named = [...read('.env.example').matchAll(/^#?([A-Za-z][A-Za-z0-9_]*)=/gm)].map((match) => match[1]);
    expect([...new Set(named)].sort()).to.deep.equal([...SETTING_NAMES].sort());
  });

  it("the README's layout names every folder under src/ and src/services/, and every src/ path it names exists", () => {
    const readme = read('README.md');
    const layout = /```\nsrc\/index\.ts[\s\S]*?```/.exec(readme)?.[0] ?? '';
    expect(layout, 'the layout block').to.not.equal('');
    const folders = (dir: string) => readdirSync(path.join(ROOT, dir)).filter((name) => statSync(path.join(ROOT, dir, name)).isDirectory());
    for (const folder of folders('src')) expect(layout, `src/${folder}/`).to.match(new RegExp(`src/${folder}/`));
    for (const folder of folders('src/services')) expect(layout, `services/${folder}/`).to.match(new RegExp(`^\\s+${folder}/`, 'm'));
    for (const [named] of layout.matchAll(/src\/[\w./-]+/g)) expect(existsSync(path.join(ROOT, named.replace(/\/$/, ''))), named).to.equal(true);
  });
});
