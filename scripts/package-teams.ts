/**
 * `npm run package:teams`: fills the app id and host name from the configuration into
 * teamsAppManifest/manifest.json and writes the app package (manifest + icons) as a zip to
 * upload in Teams (Apps > Manage your apps > Upload). Output: dist/storingsmelder-teams.zip
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { ConfigError, loadDotEnv, loadPackagingSettings, type PackagingSettings } from '../src/config';

/** A stable placeholder for local use: Teams needs a GUID, the Agents Playground needs none. */
const LOCAL_APP_ID = '00000000-0000-4000-8000-00000000cb90';

export const MANIFEST_DIR = path.resolve(__dirname, '../../teamsAppManifest');

export function filledManifest(settings: PackagingSettings): Record<string, unknown> {
  const template = readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8');
  const base = new URL(settings.publicBaseUrl);
  const appId = settings.appId ?? LOCAL_APP_ID;
  const text = template.replaceAll('{{APP_ID}}', appId).replaceAll('{{BASE_URL}}', base.origin).replaceAll('{{HOST}}', base.host);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function buildPackage(settings: PackagingSettings): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(filledManifest(settings), null, 2));
  zip.file('color.png', readFileSync(path.join(MANIFEST_DIR, 'color.png')));
  zip.file('outline.png', readFileSync(path.join(MANIFEST_DIR, 'outline.png')));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function main(): Promise<void> {
  loadDotEnv();
  const settings = loadPackagingSettings();
  const out = path.resolve(__dirname, '../storingsmelder-teams.zip');
  writeFileSync(out, await buildPackage(settings));
  process.stdout.write(`Teams app package written to ${path.relative(process.cwd(), out)} (host ${new URL(settings.publicBaseUrl).host}${settings.appId ? '' : ', placeholder app id: set MicrosoftAppId for a real install'})\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    const lines = error instanceof ConfigError ? error.problems.map((p) => `configuration error: ${p}`) : [`packaging failed: ${error.message}`];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(1);
  });
}
