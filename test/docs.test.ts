/**
 * The documents say what the code does: the parts that copy the code are generated
 * (scripts/docs.ts, `npm run docs`) and compared here, and the lists a newcomer relies on
 * (the settings' reference, the code's layout) are checked against the source, and the README
 * stays a ten-minute read whose links all lead somewhere.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SETTING_NAMES } from '../src/config';
import { SETTINGS, settingsIn } from '../src/settings-reference';
import { architectureParts, ARCHITECTURE_DOC, migrationList, regenerate, wholeDocuments } from '../scripts/docs';
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

  it('docs/configuration.md and .env.example are what the settings reference generates (npm run docs rewrites them)', () => {
    for (const [file, text] of Object.entries(wholeDocuments())) expect(read(file), `run npm run docs and commit ${file}`).to.equal(text);
  });

  it('the reference documents every setting the configuration accepts, the production group has at most 15, and .env.example leaves out the stand-ins', () => {
    expect(Object.keys(SETTINGS).sort()).to.deep.equal([...SETTING_NAMES].sort());
    expect(settingsIn('production').length).to.be.at.most(15);
    const named = [...read('.env.example').matchAll(/^#?([A-Za-z][A-Za-z0-9_]*)=/gm)].map((match) => match[1]);
    expect(named.sort()).to.deep.equal([...settingsIn('production'), ...settingsIn('optional')].sort());
    const reference = read('docs/configuration.md');
    for (const name of SETTING_NAMES) expect(reference, name).to.include(`| \`${name}\` |`);
    // Defaults come from the schema: the one in the table is the one the configuration applies.
    expect(reference).to.match(/\| `RETENTION_DAYS` \| [^|]+ \| 183 \|/);
  });

  it("docs/development.md's layout names every folder under src/ and src/services/, and every src/ path it names exists", () => {
    const layout = /```\nsrc\/index\.ts[\s\S]*?```/.exec(read('docs/development.md'))?.[0] ?? '';
    expect(layout, 'the layout block').to.not.equal('');
    const folders = (dir: string) => readdirSync(path.join(ROOT, dir)).filter((name) => statSync(path.join(ROOT, dir, name)).isDirectory());
    for (const folder of folders('src')) expect(layout, `src/${folder}/`).to.match(new RegExp(`src/${folder}/`));
    for (const folder of folders('src/services')) expect(layout, `services/${folder}/`).to.match(new RegExp(`^\\s+${folder}/`, 'm'));
    for (const [named] of layout.matchAll(/src\/[\w./-]+/g)) expect(existsSync(path.join(ROOT, named.replace(/\/$/, ''))), named).to.equal(true);
  });

  it('keeps the README under 200 lines, and every relative link in README.md and docs/ points at a file that exists', () => {
    expect(read('README.md').split('\n').length).to.be.below(200);
    const documents = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const document of documents) {
      for (const [, target] of read(document).matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!existsSync(path.join(ROOT, path.dirname(document), target))) broken.push(`${document} -> ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
