/**
 * Bundles the browser code of the management tab (src/tab -> dist/tab) and of the local
 * playground page (src/playground/page -> dist/playground) with esbuild.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.resolve(__dirname, '../..');

function bundle(sourceDir: string, outDir: string, script: string): void {
  const out = path.join(root, 'dist', outDir);
  mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [path.join(root, sourceDir, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'edge110', 'safari15'],
    outfile: path.join(out, script),
    logLevel: 'warning',
  });
  copyFileSync(path.join(root, sourceDir, 'index.html'), path.join(out, 'index.html'));
}

bundle('src/tab', 'tab', 'tab.js');
bundle('src/playground/page', 'playground', 'playground.js');
