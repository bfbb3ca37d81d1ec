/** Bundles the management tab's browser code (src/tab) into dist/tab with esbuild. */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.resolve(__dirname, '../..');
const out = path.join(root, 'dist', 'tab');
mkdirSync(out, { recursive: true });
buildSync({
  entryPoints: [path.join(root, 'src', 'tab', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'edge110', 'safari15'],
  outfile: path.join(out, 'tab.js'),
  logLevel: 'warning',
});
copyFileSync(path.join(root, 'src', 'tab', 'index.html'), path.join(out, 'index.html'));
