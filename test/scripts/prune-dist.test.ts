/** The build's first step: compiled files whose source is gone are removed; a missing output forces a full emit. */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../scripts/prune-dist.js');

describe('scripts/prune-dist.js', () => {
  let root: string;
  const file = (relative: string, text = '') => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  const run = () => execFileSync(process.execPath, [path.join(root, 'scripts', 'prune-dist.js')]);

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-prune-'));
    mkdirSync(path.join(root, 'scripts'));
    copyFileSync(SCRIPT, path.join(root, 'scripts', 'prune-dist.js'));
    file('tsconfig.json', JSON.stringify({ include: ['src/**/*.ts', 'test/**/*.ts'], exclude: ['src/tab/**'] }));
    for (const name of ['src/a.ts', 'test/a.test.ts', 'src/tab/main.ts']) file(name);
    for (const name of ['dist/src/a.js', 'dist/src/a.js.map', 'dist/test/a.test.js', 'dist/test/a.test.js.map', 'dist/.tsbuildinfo']) file(name);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes the output of a moved or deleted source and keeps the build record when all else is there', () => {
    file('dist/test/old/moved.test.js');
    file('dist/test/old/moved.test.js.map');
    run();
    expect(existsSync(path.join(root, 'dist/test/old/moved.test.js'))).to.equal(false);
    expect(existsSync(path.join(root, 'dist/test/old/moved.test.js.map'))).to.equal(false);
    expect(existsSync(path.join(root, 'dist/src/a.js'))).to.equal(true);
    expect(existsSync(path.join(root, 'dist/.tsbuildinfo'))).to.equal(true);
  });

  it('drops the build record when an output is missing (a source map too), so tsc emits everything again', () => {
    rmSync(path.join(root, 'dist/src/a.js.map'));
    run();
    expect(existsSync(path.join(root, 'dist/.tsbuildinfo'))).to.equal(false);
  });

  it('reads the server and the dev project, and drops both build records when an output of either is missing', () => {
    file('tsconfig.json', JSON.stringify({ include: ['src/**/*.ts'], exclude: ['src/tab/**'], compilerOptions: { tsBuildInfoFile: 'dist/.tsbuildinfo' } }));
    file('tsconfig.dev.json', JSON.stringify({ include: ['test/**/*.ts'], compilerOptions: { tsBuildInfoFile: 'dist/.tsbuildinfo-dev' } }));
    file('dist/.tsbuildinfo-dev');
    file('dist/test/gone.test.js');
    file('dist/src/gone.d.ts');
    run();
    expect(existsSync(path.join(root, 'dist/test/gone.test.js'))).to.equal(false);
    expect(existsSync(path.join(root, 'dist/src/gone.d.ts'))).to.equal(false);
    expect(existsSync(path.join(root, 'dist/.tsbuildinfo-dev'))).to.equal(true);
    rmSync(path.join(root, 'dist/test/a.test.js'));
    run();
    expect(existsSync(path.join(root, 'dist/.tsbuildinfo'))).to.equal(false);
    expect(existsSync(path.join(root, 'dist/.tsbuildinfo-dev'))).to.equal(false);
  });
});
