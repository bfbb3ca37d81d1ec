// Runs before tsc (so plain JavaScript). tsc builds incrementally (dist/.tsbuildinfo) and
// never deletes: this removes compiled files whose TypeScript source is gone (moved or
// deleted), which mocha would otherwise still run, and drops the build record when an output
// tsc expects is missing, so that everything is emitted again.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
// "src/**/*.ts" -> src; "src/tab/**" (excluded: bundled by esbuild, not tsc) -> src/tab
const included = tsconfig.include.map((glob) => glob.split('/**')[0]);
const excluded = (tsconfig.exclude ?? []).map((glob) => path.join(root, glob.split('/**')[0]) + path.sep);

function walk(dir, visit) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

for (const dir of included) {
  walk(path.join(dist, dir), (file) => {
    const match = /^(.*)\.js(\.map)?$/.exec(path.relative(dist, file));
    if (match && !fs.existsSync(path.join(root, `${match[1]}.ts`))) fs.rmSync(file);
  });
}

let complete = true;
for (const dir of included) {
  walk(path.join(root, dir), (file) => {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || excluded.some((prefix) => file.startsWith(prefix))) return;
    const out = path.join(dist, path.relative(root, file).slice(0, -3));
    if (!fs.existsSync(`${out}.js`) || !fs.existsSync(`${out}.js.map`)) complete = false;
  });
}
if (!complete) fs.rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
