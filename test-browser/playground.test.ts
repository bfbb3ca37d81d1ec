/**
 * The story a first-time visitor follows, in headless Chromium against the real
 * `npm run playground` (the service in local mode plus the Microsoft 365 Agents Playground):
 * sign up a phone with the printed code, compose and send a landelijk notice in Teams, see it
 * arrive on the phone, send "opgelost", opt out, and find both AVG mails in the mailbox.
 * Saves test-results/playground.png (the README's screenshot, docs/playground.png).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, RESULTS } from './chromium';

const CLI = path.resolve(__dirname, '../src/cli/playground.js');
const PHONE = '31612345601';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('playground story in a browser', function () {
  this.timeout(240_000);
  let browser: Browser;
  let cli: ChildProcess;
  let output = '';
  let dataDir: string;
  let port: number;
  let teamsPort: number;
  let startedAt: number;
  let readyMs: number;
  let phones: Page | undefined;
  let teams: Page | undefined;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-playground-'));
    [port, teamsPort] = [await freePort(), await freePort()];
    startedAt = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir };
    for (const name of ['MicrosoftAppId', 'WHATSAPP_ACCESS_TOKEN', 'NODE_ENV', 'BUSINESS_HOURS']) delete env[name];
    for (const name of ['SMTP_URL', 'DATABASE_URL', 'STAFF_AAD_OBJECT_IDS', 'MANAGER_AAD_OBJECT_IDS', 'MicrosoftAppTenantId']) delete env[name];
    // Outside the checkout: a developer's .env takes no part.
    cli = spawn(process.execPath, ['--disable-warning=DEP0111', CLI, '--teams-port', String(teamsPort)], { env, cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!output.includes('Ctrl-C stops everything')) {
      if (cli.exitCode !== null || Date.now() > deadline) throw new Error(`npm run playground did not become ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    readyMs = Date.now() - startedAt;
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    // What a failure looked like, for CI: both pages and the command's output.
    await phones?.screenshot({ path: path.join(RESULTS, 'failure-playground.png'), fullPage: true }).catch(() => undefined);
    await teams?.screenshot({ path: path.join(RESULTS, 'failure-teams.png'), fullPage: true }).catch(() => undefined);
    process.stdout.write(`npm run playground said:\n${output.slice(-4000)}\n`);
  });

  after(async () => {
    await browser?.close();
    if (cli && cli.exitCode === null) {
      // A Ctrl-C, so the Agents Playground and the database stop with it; a kill only if that hangs.
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      cli.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the three pages and a sign-up line with the demo code', () => {
    expect(output).to.include(`http://localhost:${teamsPort}`);
    expect(output).to.include(`http://localhost:${port}/playground`);
    expect(output).to.include(`http://localhost:${port}/tab`);
    expect(output).to.match(/Ja ik wil storingsberichten van CBG Connect ontvangen\. Code: [A-Z0-9]{4}-[A-Z0-9]{2}/);
    process.stdout.write(`      (ready ${readyMs} ms after the start of the command)\n`);
  });

  it('signs up a phone, sends a notice and "opgelost" from Teams, opts out, and shows both AVG mails', async () => {
    const storyStarted = Date.now();
    const line = /Ja ik wil storingsberichten van CBG Connect ontvangen\. Code: [A-Z0-9]{4}-[A-Z0-9]{2}/.exec(output)![0];
    phones = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    teams = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await phones.goto(`http://localhost:${port}/playground`);
    const phone = phones.locator(`[data-number="${PHONE}"]`);
    const say = async (text: string) => {
      await phone.getByRole('textbox').fill(text);
      await phone.getByRole('button', { name: 'Verstuur' }).click();
    };
    const bubble = (text: string | RegExp) => phone.locator('.bubble.from-service', { hasText: text });

    // 1. Sign up with the printed line, then the first name.
    await say(line);
    await bubble('Wat is je voornaam?').waitFor({ timeout: 15_000 });
    await say('Anna');
    await bubble('Welkom Anna!').waitFor({ timeout: 15_000 });
    // Over WhatsApp's 4,096 characters: refused on the phone in Dutch, kept in the field, nothing sent.
    const bubbles = await phone.locator('.bubble').count();
    await say('x'.repeat(4097));
    expect(await phone.locator('.problem').textContent()).to.equal('Niet verstuurd: een WhatsApp-bericht is hoogstens 4.096 tekens; dit zijn er 4.097.');
    expect((await phone.getByRole('textbox').inputValue()).length).to.equal(4097);
    expect(await phone.locator('.bubble').count()).to.equal(bubbles);
    await phone.getByRole('textbox').fill('');

    // 2. Compose and send a landelijk notice in the Agents Playground.
    await teams.goto(`http://localhost:${teamsPort}`);
    await teamsSay(teams, '/outage');
    const compose = teams.locator('.ac-adaptiveCard', { hasText: 'Nieuwe storingsmelding' }).last();
    await compose.getByPlaceholder('Wat merkt de klant, wat doet KPN eraan?').fill('Landelijke storing op het KPN-netwerk: geen internet. Monteurs zijn onderweg.');
    await compose.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
    const preview = teams.locator('.ac-adaptiveCard', { hasText: 'Voorbeeld: Nieuwe storingsmelding' }).last();
    await preview.waitFor({ timeout: 15_000 });
    // The preview shows WhatsApp's *Storing* bold, and the template's lines apart.
    expect(await fontWeightOf(preview, 'Storing')).to.be.at.least(600);
    expect(await preview.getByText('Gebied: Landelijk', { exact: true }).count()).to.equal(1);
    await preview.getByRole('button', { name: 'Versturen' }).click();
    await teams.locator('.ac-adaptiveCard', { hasText: 'Ontvangers' }).getByRole('button', { name: 'Opgelost' }).waitFor({ timeout: 15_000 });

    // 3. It arrives on the phone, bold, with its lines; the ticks go to delivered, then read once the phone is opened.
    const notice = bubble('Landelijke storing op het KPN-netwerk');
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.locator('strong').first().textContent()).to.equal('Storing');
    expect(await notice.locator('.text').textContent()).to.include('Storing KPN internet\nGebied: Landelijk\nImpact: Middel\n\n');
    await phones.locator(`[data-number="${PHONE}"] .bubble.from-service[data-status="delivered"]`, { hasText: 'Landelijke storing' }).waitFor({ timeout: 10_000 });
    await phone.locator('.chat').click();
    await phones.locator(`[data-number="${PHONE}"] .bubble.from-service[data-status="read"]`, { hasText: 'Landelijke storing' }).waitFor({ timeout: 10_000 });
    // The ticks are what the service took: its ledger has the notice delivered and read.
    const [sent] = ((await (await fetch(`http://localhost:${port}/api/stats`)).json()) as { outages: { recipients: number; delivered: number; read: number }[] }).outages;
    expect(sent).to.include({ recipients: 1, delivered: 1, read: 1 });

    // The status card keeps counting after the send: its refresh (verb status) brings the read.
    // The Agents Playground refreshes a shown card 3 times, 3 s apart, then offers "Click to restart."
    const statusCard = teams.locator('.ac-adaptiveCard', { hasText: 'Ontvangers' }).first();
    const deadline = Date.now() + 30_000;
    while (!/Gelezen\s*1\b/.test(await statusCard.innerText())) {
      expect(Date.now(), 'the status card shows the read').to.be.lessThan(deadline);
      const restart = teams.getByText('Click to restart.');
      if (await restart.count()) await restart.first().click();
      await teams.waitForTimeout(500);
    }
    await statusCard.screenshot({ path: path.join(RESULTS, 'status-card-read.png') });

    // /storingen: the open outage with its latest notice and buttons, without scrolling for it.
    await teamsSay(teams, '/storingen');
    const list = teams.locator('.ac-adaptiveCard', { hasText: 'Open storingen (1)' }).last();
    await list.waitFor({ timeout: 15_000 });
    expect(await list.innerText()).to.include('KPN internet · Landelijk · Middel');
    await list.screenshot({ path: path.join(RESULTS, 'storingen-card.png') });

    // 4. Opgelost, to the same audience: the status card stays, the Opgelost card comes below it.
    await statusCard.getByRole('button', { name: 'Opgelost' }).click();
    const resolved = teams.locator('.ac-adaptiveCard', { hasText: 'Storing opgelost' }).last();
    await resolved.getByPlaceholder(/^Wat is er opgelost\?/).fill('De storing is verholpen. Excuses voor het ongemak.');
    expect(await resolved.getByText('Ernst').count(), 'a resolution does not ask for the severity').to.equal(0);
    expect(await teams.locator('.ac-adaptiveCard', { hasText: 'Ontvangers' }).count(), 'the status card is still there').to.be.at.least(1);
    await resolved.screenshot({ path: path.join(RESULTS, 'opgelost-card.png') });
    await resolved.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
    const resolvedPreview = teams.locator('.ac-adaptiveCard', { hasText: 'Voorbeeld: Storing opgelost' }).last();
    // Anna has removed WhatsApp meanwhile: Meta reports the Opgelost undeliverable (131026).
    await phone.getByRole('button', { name: 'WhatsApp verwijderen' }).click();
    await phone.getByRole('button', { name: 'WhatsApp installeren' }).waitFor({ timeout: 5000 });
    await resolvedPreview.getByRole('button', { name: 'Versturen' }).click();
    // The status card says why it failed, and offers the retry once the notice is out.
    const failedCard = teams.locator('.ac-adaptiveCard', { hasText: 'Waarom mislukt' }).last();
    await failedCard.getByRole('button', { name: 'Opnieuw proberen (mislukt)' }).waitFor({ timeout: 30_000 });
    expect(await failedCard.innerText()).to.match(/Niet bereikbaar op WhatsApp .*: \+31 6 \*{4}5601/);
    await failedCard.screenshot({ path: path.join(RESULTS, 'failure-reasons-card.png') });
    // Back on WhatsApp: the retry sends it again, to her only, once.
    await phone.getByRole('button', { name: 'WhatsApp installeren' }).click();
    await phone.getByRole('button', { name: 'WhatsApp verwijderen' }).waitFor({ timeout: 5000 });
    await failedCard.getByRole('button', { name: 'Opnieuw proberen (mislukt)' }).click();
    const followUp = bubble('De storing is verholpen');
    await followUp.waitFor({ timeout: 20_000 });
    expect(await bubble('De storing is verholpen').count(), 'the retry sent it once').to.equal(1);
    expect(await followUp.locator('strong').first().textContent()).to.equal('Opgelost');
    // The resolution's own template: no Impact line.
    expect(await followUp.locator('.text').textContent()).to.include('Opgelost KPN internet\nGebied: Landelijk\n\nDe storing is verholpen');
    // The README's screenshot: a signed-up phone with both notices, the AVG sign-up mail open.
    await phones.locator('#mails button[data-kind="avg_opt_in"]').click();
    await phones.locator(`[data-number="${PHONE}"] .bubble.from-service[data-status="delivered"]`, { hasText: 'De storing is verholpen' }).waitFor({ timeout: 10_000 });
    await phones.screenshot({ path: path.join(RESULTS, 'playground.png') });

    // 5. Opt out; both AVG mails are in the mailbox, with the CRM copy in BCC.
    await say('afmelden');
    await bubble('Je bent afgemeld').waitFor({ timeout: 15_000 });
    await phones.locator('#mails button[data-kind="avg_opt_out"]').waitFor({ timeout: 20_000 });
    expect(await phones.locator('#mails button[data-kind="avg_opt_in"]').count()).to.equal(1);
    await phones.locator('#mails button[data-kind="avg_opt_out"]').click();
    const mail = phones.locator('#mail');
    expect(await mail.textContent()).to.include('archief@crm.example');
    expect(await mail.locator('pre').textContent()).to.include('Je hebt je via WhatsApp afgemeld');
    await mail.getByRole('tab', { name: 'HTML' }).click();
    expect(await mail.locator('iframe').getAttribute('srcdoc')).to.include('<p>Beste Anna,</p>');
    await phones.locator('#mails button[data-kind="avg_opt_in"]').click();
    expect(await mail.locator('iframe').getAttribute('srcdoc')).to.include('Je bent aangemeld');
    // On a 1280x800 screen the mail's body starts above the fold, with three mails in the list.
    await phones.setViewportSize({ width: 1280, height: 800 });
    await mail.getByRole('tab', { name: 'Tekst' }).click();
    const body = await mail.locator('pre').boundingBox();
    expect(body!.y, 'the first lines of the mail are visible without scrolling').to.be.lessThan(800 - 60);

    const overflow = await phones.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
    await phones.screenshot({ path: path.join(RESULTS, 'playground-end.png') });
    await phones.setViewportSize({ width: 800, height: 900 });
    expect(await phones.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).to.be.at.most(0);
    await phones.screenshot({ path: path.join(RESULTS, 'playground-800.png'), fullPage: true });
    await teams.screenshot({ path: path.join(RESULTS, 'playground-teams.png') });
    process.stdout.write(`      (story ${((Date.now() - storyStarted) / 1000).toFixed(1)} s)\n`);
  });

  it('stops the service and the Agents Playground with one Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGINT');
    expect(await exited).to.equal(0);
    expect(await portInUse(port)).to.equal(false);
    expect(await portInUse(teamsPort)).to.equal(false);
  });
});

async function teamsSay(page: Page, text: string): Promise<void> {
  await page.locator('[data-lexical-editor="true"]').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The computed font weight of the card element whose own text is exactly `text`. */
async function fontWeightOf(card: Locator, text: string): Promise<number> {
  // Runs in the browser.
  return card.evaluate((root: Element, wanted: string) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent?.trim() === wanted && node.parentElement) return Number(getComputedStyle(node.parentElement).fontWeight);
    }
    return 0;
  }, text);
}
