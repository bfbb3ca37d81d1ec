import { expect } from 'chai';
import { baseEnv } from '../helpers/child-env';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { imageSize } from 'image-size';
import JSZip from 'jszip';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadPackagingSettings } from '../../src/config';
import { buildPackage, filledManifest, MANIFEST_DIR } from '../../scripts/package-teams';

/** The schemas @microsoft/app-manifest ships, offline: the manifest is held to the newest. */
const SCHEMAS = path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams');
const NEWEST = readdirSync(SCHEMAS)
  .filter((name) => /^v1\.\d+$/.test(name))
  .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
  .at(-1)!;
const SCHEMA = JSON.parse(readFileSync(path.join(SCHEMAS, NEWEST, 'MicrosoftTeams.schema.json'), 'utf8')) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];
const config = loadPackagingSettings({ MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl' });
const SCRIPT = path.resolve(__dirname, '../../scripts/package-teams.js');

describe('Teams app package', () => {
  it('fills in the app id and host and validates against the newest official schema the validator ships (v1.30), offline', async () => {
    const manifest = filledManifest(config);
    expect(NEWEST).to.equal('v1.30');
    expect(manifest).to.deep.include({ manifestVersion: NEWEST.slice(1), $schema: `https://developer.microsoft.com/json-schemas/teams/${NEWEST}/MicrosoftTeams.schema.json` });
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as never, SCHEMA);
    expect(errors).to.deep.equal([]);
    // The bot's commands and cards work in shared and private channels too (schema 1.25 and later).
    expect(manifest.supportsChannelFeatures).to.equal('tier1');
    expect(manifest).to.deep.include({ id: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', validDomains: ['storing.cbgconnect.nl'] });
    expect(manifest.webApplicationInfo).to.deep.equal({ id: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', resource: 'api://storing.cbgconnect.nl/6f1d2c3b-1111-4aaa-8bbb-0123456789ab' });
    const tab = (manifest.staticTabs as { contentUrl: string }[])[0];
    expect(tab.contentUrl).to.equal('https://storing.cbgconnect.nl/tab');
    const commands = (manifest.bots as { commandLists: { commands: { title: string }[] }[] }[])[0].commandLists[0].commands.map((c) => c.title);
    expect(commands).to.deep.equal(['outage', 'storingen', 'stappenplan', 'abonnee', 'verwijder', 'help']);
  });

  it('refuses a broken manifest (the validation can fail)', async () => {
    const broken = { ...filledManifest(config), id: 'not-a-guid' };
    expect(await AppManifestUtils.validateAgainstSchema(broken as never, SCHEMA)).to.not.deep.equal([]);
  });

  it('has icons of the sizes Teams requires', () => {
    expect(imageSize(readFileSync(path.join(MANIFEST_DIR, 'color.png')))).to.include({ width: 192, height: 192 });
    expect(imageSize(readFileSync(path.join(MANIFEST_DIR, 'outline.png')))).to.include({ width: 32, height: 32 });
  });

  it('zips manifest.json, color.png and outline.png at the root', async () => {
    const zip = await JSZip.loadAsync(await buildPackage(config));
    expect(Object.keys(zip.files).sort()).to.deep.equal(['color.png', 'manifest.json', 'outline.png']);
    const inside = JSON.parse(await zip.file('manifest.json')!.async('string')) as { id: string };
    expect(inside.id).to.equal('6f1d2c3b-1111-4aaa-8bbb-0123456789ab');
  });

  it('runs as npm run package:teams with only the app id and the public origin (no bot password)', async () => {
    const env = { ...baseEnv(), MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl' };
    // Run outside the checkout, so no .env of a developer takes part.
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT], { env, cwd: os.tmpdir() });
    expect(stdout).to.match(/Teams app package written to .*storingsmelder-teams\.zip \(host storing\.cbgconnect\.nl\)/);
  });

  it('says in one line when the app id is not a GUID', async () => {
    const env = { ...baseEnv(), MicrosoftAppId: 'my-bot', PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl' };
    const failure = await promisify(execFile)(process.execPath, [SCRIPT], { env, cwd: os.tmpdir() }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.equal("configuration error: MicrosoftAppId: expected the app registration's application (client) id, a GUID\n");
  });
});
