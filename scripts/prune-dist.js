// Runs before tsc (so plain JavaScript). tsc builds incrementally (build records under dist/)
// and never deletes: this removes compiled files whose TypeScript source is gone (moved or
// deleted), which mocha would otherwise still run, and drops the build records when an output
// tsc expects is missing, so that everything is emitted again. It reads the include and
// exclude lists of the server's tsconfig.json and of tsconfig.dev.json (tests and scripts).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const projects = ['tsconfig.json', 'tsconfig.dev.json']
  .filter((name) => fs.existsSync(path.join(root, name)))
  .map((name) => JSON.parse(fs.readFileSync(path.join(root, name), 'utf8')));
// "src/**/*.ts" -> src; "src/tab/**" (excluded: bundled by esbuild, not tsc) -> src/tab
const included = projects.flatMap((project) => (project.include ?? []).map((glob) => glob.split('/**')[0]));
const excluded = projects.flatMap((project) => (project.exclude ?? []).map((glob) => path.join(root, glob.split('/**')[0]) + path.sep));
const records = projects.map((project) => project.compilerOptions?.tsBuildInfoFile ?? 'dist/.tsbuildinfo');

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
    const match = /^(.*)\.(js|js\.map|d\.ts)$/.exec(path.relative(dist, file));
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
if (!complete) for (const record of records) fs.rmSync(path.join(root, record), { force: true });
