/**
 * The management tab in a real browser (headless Chromium from Debian, driven by
 * playwright-core): loads /tab against seeded data, checks the figures a manager sees, and
 * saves screenshots under test-results/. Run with `npm run test:browser`.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../src/config';
import { createApp, type App } from '../src/app';
import { openDatabase, type Database } from '../src/db/database';
import { memoryLogger } from '../test/helpers/logger';
import { freshDatabase } from '../test/helpers/postgres';
import { seedStats } from '../test/helpers/stats-seed';
import { launchChromium, RESULTS } from './chromium';

describe('management tab in a browser', function () {
  this.timeout(60_000);
  let browser: Browser;
  const apps: { app: App; database: Database }[] = [];

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const { app, database } of apps) {
      await app.close();
      await database.close();
    }
  });

  async function serve(env: Record<string, string>, seed: boolean): Promise<string> {
    const { logger } = memoryLogger();
    const database = await openDatabase({ url: await freshDatabase(), dataDir: '.data', logger });
    if (seed) await seedStats(database.dataSource);
    const app = await createApp(loadConfig(env, { purpose: 'local' }), database, logger, 'teams');
    apps.push({ app, database });
    return `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  }

  it('shows the seeded figures in local mode, says it is not in Teams, and fits a narrow side panel', async () => {
    const base = await serve({}, true);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const started = Date.now();
    await page.goto(`${base}/tab`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    expect(Date.now() - started).to.be.lessThan(8000);
    expect(await page.textContent('#kpi-active')).to.equal('3');
    expect(await page.textContent('#kpi-pending')).to.equal('1');
    expect(await page.textContent('#kpi-companies')).to.equal('2');
    expect(await page.textContent('#kpi-companies-label')).to.equal('van 3 klanten bereikt (67%)');
    expect(await page.textContent('#kpi-delta')).to.equal('+3 deze week');
    expect(await page.textContent('#kpi-last')).to.equal('50%');
    const banners = await page.textContent('#banners');
    expect(banners).to.include('niet in Microsoft Teams geopend');
    expect(banners).to.include('Lokale modus');
    const outageCells = await page.$$eval('#outages tr td', (tds) => tds.map((td) => td.textContent));
    expect(outageCells.slice(1, 6)).to.deep.equal(['Storing · KPN internet · Landelijk · HoogMislukt: 1× Niet bereikbaar op WhatsApp (geen WhatsApp, een verouderde app of de voorwaarden niet geaccepteerd)', '4', '2', '1', '1']);
    // Coverage: who has no subscriber yet, and the list as CSV for the stappenplan mailing.
    expect(await page.textContent('#coverage-summary')).to.equal('1 van 3 klanten heeft nog geen actieve abonnee (2 wel). Stuur de contactpersoon het stappenplan.');
    expect(await page.$$eval('#missing tr td', (tds) => tds.map((td) => td.textContent))).to.deep.equal(['Garage Van Dam', 'C-3', 'vandam.nl']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#missing-csv')]);
    expect(download.suggestedFilename()).to.match(/^klanten-zonder-abonnee-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).to.equal('\uFEFFklantnummer;naam;e-maildomeinen\r\nC-3;Garage Van Dam;vandam.nl\r\n');
    const companies = await page.$$eval('#companies tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(companies).to.deep.equal(['Bakkerij De Korenschoof (C-1)', 'Visser Installatie (C-2)']);
    await page.screenshot({ path: path.join(RESULTS, 'tab.png'), fullPage: true });

    await page.setViewportSize({ width: 320, height: 800 });
    // Chart.js resizes its canvases on the next animation frames.
    await page.waitForTimeout(500);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
    // At 320 px every table fits without scrolling sideways, and the notice says what it was about.
    const tablesOverflowing = await page.$$eval('.table-wrap', (wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth).map((w) => `${w.closest('section')?.querySelector('h2')?.textContent}: ${w.scrollWidth} > ${w.clientWidth}`));
    expect(tablesOverflowing).to.deep.equal([]);
    expect(await page.isVisible('#outages tr td:nth-child(2)')).to.equal(true);
    await page.screenshot({ path: path.join(RESULTS, 'tab-narrow.png'), fullPage: true });
    await page.close();
  });

  it('says what an empty tab means: no notices, no subscribers, every customer still to reach', async () => {
    const base = await serve({}, false);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${base}/tab`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    expect(await page.textContent('#outages')).to.equal('Nog geen meldingen verstuurd.');
    expect(await page.textContent('#companies')).to.match(/^Nog geen actieve abonnees\./);
    expect(await page.textContent('#coverage-summary')).to.equal('Het klantenbestand is leeg: importeer het met npm run customers:import.');
    expect(await page.isHidden('#missing-csv')).to.equal(true);
    await page.close();
  });

  it('outside local mode and outside Teams, asks to open it in Teams and shows no figures', async () => {
    const base = await serve({ MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-cbg', MANAGER_AAD_OBJECT_IDS: 'm' }, true);
    const page = await browser.newPage();
    await page.goto(`${base}/tab`);
    await page.waitForSelector('.banner.error', { timeout: 8000 });
    expect(await page.textContent('#banners')).to.include('Open het tabblad Storingsmelder in Teams');
    expect(await page.isHidden('#content')).to.equal(true);
    await page.close();
  });
});
