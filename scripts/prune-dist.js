// Runs before tsc (so plain JavaScript): removes compiled files whose TypeScript source is
// gone (moved or deleted), which mocha would otherwise still run. tsc builds incrementally
// (dist/.tsbuildinfo); if any output it expects is missing, the record is dropped so that
// everything is emitted again.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const dirs = ['src', 'test', 'scripts', 'test-browser'];

function walk(dir, visit) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

for (const dir of dirs) {
  walk(path.join(dist, dir), (file) => {
    const match = /^(.*)\.js(\.map)?$/.exec(path.relative(dist, file));
    if (match && !fs.existsSync(path.join(root, `${match[1]}.ts`))) fs.rmSync(file);
  });
}

let complete = true;
for (const dir of dirs) {
  walk(path.join(root, dir), (file) => {
    if (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.includes(`${path.sep}tab${path.sep}`) && !file.includes(`${path.sep}page${path.sep}`)) {
      if (!fs.existsSync(path.join(dist, `${path.relative(root, file).slice(0, -3)}.js`))) complete = false;
    }
  });
}
if (!complete) fs.rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
