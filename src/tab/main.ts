/**
 * The management tab (browser). Inside Teams: initialise teams-js, follow the theme, get an SSO
 * token, fetch /api/stats. Opened in a plain browser it says so within a few seconds instead of
 * waiting for the SDK's own 60 s timeout, and in local mode still shows the figures.
 */
import { app, authentication } from '@microsoft/teams-js';
import type { Stats } from '../services/stats/stats-view';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const QUALITY: Record<string, string> = { GREEN: 'Goed (groen)', YELLOW: 'Matig (geel)', RED: 'Laag (rood)', UNKNOWN: 'Onbekend' };
const TEMPLATE_STATUS: Record<string, string> = { APPROVED: 'Goedgekeurd', PENDING: 'Wacht op goedkeuring', REJECTED: 'Afgewezen', PAUSED: 'Gepauzeerd', DISABLED: 'Uitgeschakeld', IN_APPEAL: 'In bezwaar', MISSING: 'Bestaat nog niet' };

/** Set by the server in the page (no inline script: the page's CSP forbids it). */
const LOCAL_MODE = document.body.dataset.localMode === 'true';
const KIND: Record<string, string> = { initial: 'Storing', update: 'Update', resolved: 'Opgelost' };
const $ = (id: string) => document.getElementById(id)!;
const nf = new Intl.NumberFormat('nl-NL');

function banner(text: string, kind: 'info' | 'warn' | 'error' = 'info'): void {
  const div = document.createElement('div');
  div.className = `banner ${kind}`;
  div.textContent = text;
  $('banners').appendChild(div);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

async function insideTeams(): Promise<boolean> {
  // Outside Teams (not in a frame) initialize() only rejects after a long timeout.
  if (window.parent === window) return false;
  try {
    await withTimeout(app.initialize(), 3000);
    return true;
  } catch {
    return false;
  }
}

function applyTheme(theme: string | undefined): void {
  document.body.classList.remove('theme-dark', 'theme-contrast');
  if (theme === 'dark') document.body.classList.add('theme-dark');
  if (theme === 'contrast') document.body.classList.add('theme-contrast');
}

function cell(text: string, className = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 90) return `${seconds} s`;
  return `${Math.round(seconds / 60)} min`;
}

function render(stats: Stats): void {
  const css = getComputedStyle(document.body);
  const colour = (name: string) => css.getPropertyValue(name).trim();
  $('kpi-active').textContent = nf.format(stats.subscribers.active);
  $('kpi-pending').textContent = nf.format(stats.subscribers.pending);
  const { customers, reached } = stats.coverage;
  $('kpi-companies').textContent = nf.format(reached);
  $('kpi-companies-label').textContent = customers > 0 ? `van ${nf.format(customers)} ${customers === 1 ? 'klant' : 'klanten'} bereikt (${Math.round((100 * reached) / customers)}%)` : 'Klanten bereikt';
  const thisWeek = stats.history[stats.history.length - 1];
  const delta = thisWeek ? thisWeek.optIns - thisWeek.optOuts : 0;
  const deltaEl = $('kpi-delta');
  deltaEl.textContent = `${delta >= 0 ? '+' : ''}${nf.format(delta)} deze week`;
  deltaEl.className = `delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`;
  const last = stats.outages[0];
  $('kpi-last').textContent = last && last.recipients > 0 ? `${Math.round((100 * last.delivered) / last.recipients)}%` : '–';

  const labels = stats.history.map((h) => h.week.replace(/^\d{4}-W/, 'wk '));
  Chart.defaults.color = colour('--muted');
  new Chart($('chart-flow') as HTMLCanvasElement, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Aanmeldingen', data: stats.history.map((h) => h.optIns), backgroundColor: colour('--good') },
        { label: 'Afmeldingen', data: stats.history.map((h) => -h.optOuts), backgroundColor: colour('--bad') },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
  });
  new Chart($('chart-active') as HTMLCanvasElement, {
    type: 'line',
    data: { labels, datasets: [{ label: 'Actief', data: stats.history.map((h) => h.active), borderColor: colour('--accent'), backgroundColor: colour('--accent'), tension: 0.2 }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  renderAccount(stats.whatsapp);
  renderBill(stats.whatsapp?.bill);

  renderNotices(stats.outages);
  renderCompanies(stats.byCompany);
  renderCoverage(stats.coverage);
  $('loading').hidden = true;
  $('content').hidden = false;
  document.body.dataset.ready = 'true';
}

/**
 * Gives each cell its column's header as data-label: a narrow panel (320 px) shows the rows of
 * a .stack table as small blocks of "label value" lines instead of columns that do not fit.
 */
function labelColumns(body: HTMLElement): void {
  const headers = [...(body.closest('table')?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent ?? '');
  for (const row of body.querySelectorAll('tr')) {
    [...row.children].forEach((td, i) => {
      if ((td as HTMLTableCellElement).colSpan === 1 && headers[i]) (td as HTMLElement).dataset.label = headers[i];
    });
  }
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const td = cell(text, 'muted');
  td.colSpan = columns;
  tr.append(td);
  return tr;
}

/** The last notices: which outage (kind, service, area, severity) and how it went, failures with their reasons. */
function renderNotices(notices: Stats['outages']): void {
  const body = $('outages');
  body.replaceChildren();
  if (notices.length === 0) body.appendChild(emptyRow(8, 'Nog geen meldingen verstuurd.'));
  for (const o of notices) {
    const tr = document.createElement('tr');
    tr.dataset.id = o.id;
    const when = new Date(o.releasedAt ?? o.createdAt).toLocaleString('nl-NL', { dateStyle: 'short', timeStyle: 'short' });
    const notice = cell('', 'notice');
    notice.append(Object.assign(document.createElement('strong'), { textContent: KIND[o.kind] ?? o.kind }), ` · ${o.about}`);
    if (o.failures.length > 0) {
      const why = Object.assign(document.createElement('div'), { className: 'muted small', textContent: `Mislukt: ${o.failures.map((f) => `${nf.format(f.count)}× ${f.reason}`).join('; ')}` });
      notice.append(why);
    }
    if (o.superseded) {
      const replaced = `Vervangen door een nieuwere melding${o.cancelled > 0 ? `: ${nf.format(o.cancelled)} bericht${o.cancelled === 1 ? '' : 'en'} niet meer verstuurd` : ''}.`;
      notice.append(Object.assign(document.createElement('div'), { className: 'muted small', textContent: replaced }));
    }
    const failed = cell(nf.format(o.failed), 'num');
    failed.title = o.failures.map((f) => `${f.count}× ${f.reason}`).join('\n');
    tr.append(cell(when), notice, cell(nf.format(o.recipients), 'num'), cell(nf.format(o.delivered), 'num'), cell(nf.format(o.read), 'num'), failed, cell(o.billable > 0 ? `${nf.format(o.billable)}${o.billedAs ? ` ${o.billedAs}` : ''}` : '–', 'num hide-narrow'), cell(duration(o.secondsTo95Delivered), 'hide-narrow'));
    body.appendChild(tr);
  }
  labelColumns(body);
}

function renderCompanies(companies: Stats['byCompany']): void {
  const body = $('companies');
  body.replaceChildren();
  if (companies.length === 0) body.appendChild(emptyRow(3, 'Nog geen actieve abonnees. Stuur de contactpersonen van klanten het stappenplan (/stappenplan in Teams).'));
  const max = Math.max(1, ...companies.map((c) => c.active));
  for (const c of companies) {
    const tr = document.createElement('tr');
    const bar = document.createElement('td');
    bar.className = 'hide-narrow';
    bar.innerHTML = `<div class="bar"><span style="width:${Math.round((100 * c.active) / max)}%"></span></div>`;
    tr.append(cell(`${c.customer} (${c.customerNumber})`), cell(nf.format(c.active), 'num'), bar);
    body.appendChild(tr);
  }
}

/** How many rows of the customers without a subscriber the page shows; the CSV has them all. */
const MISSING_SHOWN = 50;

/** Customers in the registry without an active subscriber: who should get the stappenplan. */
function renderCoverage(coverage: Stats['coverage']): void {
  const { customers, reached, missing } = coverage;
  $('coverage-summary').textContent =
    customers === 0
      ? 'Het klantenbestand is leeg: importeer het met npm run customers:import.'
      : missing.length === 0
        ? customers === 1
          ? 'De enige klant heeft minstens één actieve abonnee.'
          : `Alle ${nf.format(customers)} klanten hebben minstens één actieve abonnee.`
        : `${nf.format(missing.length)} van ${nf.format(customers)} ${customers === 1 ? 'klant' : 'klanten'} ${missing.length === 1 ? 'heeft' : 'hebben'} nog geen actieve abonnee (${nf.format(reached)} wel). Stuur ${missing.length === 1 ? 'de contactpersoon' : 'hun contactpersonen'} het stappenplan.`;
  const body = $('missing');
  body.replaceChildren();
  for (const c of missing.slice(0, MISSING_SHOWN)) {
    const tr = document.createElement('tr');
    tr.append(cell(c.name), cell(c.customerNumber), cell(c.emailDomains.join(', ') || '–', 'hide-narrow'));
    body.appendChild(tr);
  }
  if (missing.length > MISSING_SHOWN) body.appendChild(emptyRow(3, `… en ${nf.format(missing.length - MISSING_SHOWN)} meer (allemaal in de CSV).`));
  $('missing-table').hidden = missing.length === 0;
  const download = $('missing-csv') as HTMLButtonElement;
  download.hidden = missing.length === 0;
  download.onclick = () => downloadCsv(`klanten-zonder-abonnee-${new Date().toISOString().slice(0, 10)}.csv`, [['klantnummer', 'naam', 'e-maildomeinen'], ...missing.map((c) => [c.customerNumber, c.name, c.emailDomains.join(' ')])]);
}

/** A CSV as Dutch Excel opens it: semicolons, UTF-8 with a byte order mark. */
function downloadCsv(filename: string, rows: string[][]): void {
  // A leading = + - @ (or tab, CR) makes Excel read a formula, quoted or not: a ' keeps it text.
  const safe = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  const quote = (value: string) => (/[";\r\n]/.test(safe(value)) ? `"${safe(value).replace(/"/g, '""')}"` : safe(value));
  const text = `\uFEFF${rows.map((r) => r.map(quote).join(';')).join('\r\n')}\r\n`;
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' })), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
}

/** What Meta bills per month: billable notices and service messages, with an estimate when the prices are set. */
function renderBill(bill: NonNullable<Stats['whatsapp']>['bill'] | undefined): void {
  const rows = $('bill');
  rows.replaceChildren();
  const months = bill?.months ?? [];
  if (months.length === 0) rows.appendChild(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="4" class="muted">Nog geen berichten die Meta factureert.</td>' }));
  const euro = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' });
  for (const m of months) {
    const service = m.serviceMessages.signUp + m.serviceMessages.optOut + m.serviceMessages.oneWay;
    const label = new Date(`${m.month}-01T12:00:00Z`).toLocaleDateString('nl-NL', { month: 'long', year: 'numeric' });
    const tr = document.createElement('tr');
    const detail = `aanmelden ${nf.format(m.serviceMessages.signUp)} · afmelden ${nf.format(m.serviceMessages.optOut)} · doorverwijzing ${nf.format(m.serviceMessages.oneWay)}`;
    const serviceCell = cell(nf.format(service), 'num');
    serviceCell.title = detail;
    tr.append(cell(label), cell(nf.format(m.notices), 'num'), serviceCell, cell(m.estimateEur === null ? 'stel de prijzen in' : euro.format(m.estimateEur), m.estimateEur === null ? 'muted' : 'num'));
    rows.appendChild(tr);
  }
  labelColumns(rows);
}

/** The WhatsApp account as Meta last reported it: quality, messaging limit, the template's status. */
function renderAccount(account: Stats['whatsapp']): void {
  const facts = $('account');
  facts.replaceChildren();
  if (!account) return;
  const fact = (label: string, value: string, tone = '') => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    if (tone) dd.className = tone;
    facts.append(dt, dd);
  };
  const template = account.template;
  fact('Kwaliteit van het nummer', account.qualityRating ? (QUALITY[account.qualityRating] ?? account.qualityRating) : 'nog niet gemeld', account.qualityRating === 'RED' ? 'bad' : account.qualityRating === 'YELLOW' ? 'warn' : '');
  fact('Berichtlimiet per 24 uur', account.messagingLimit === null ? 'onbeperkt' : `${nf.format(account.messagingLimit)} ontvangers${account.messagingLimitTier ? '' : ' (aangenomen, nog niet door Meta gemeld)'}`);
  fact(`Sjabloon ${template.name}`, `${template.status ? (TEMPLATE_STATUS[template.status] ?? template.status) : 'nog niet gemeld'}${template.category ? ` · ${template.category}` : ''}${template.reason ? ` · ${template.reason}` : ''}`, template.sendable ? '' : 'bad');
  if (template.blocked) fact('Versturen geweigerd', template.blocked, 'bad');
  if (template.announcement) fact('Aangekondigd door Meta', template.announcement, 'warn');
  if (account.updatedAt) fact('Laatst gemeld door Meta', new Date(account.updatedAt).toLocaleString('nl-NL', { dateStyle: 'short', timeStyle: 'short' }));
}

async function main(): Promise<void> {
  const teams = await insideTeams();
  let token: string | undefined;
  if (teams) {
    const context = await app.getContext();
    applyTheme(context.app.theme);
    app.registerOnThemeChangeHandler(applyTheme);
    if (!LOCAL_MODE) token = await authentication.getAuthToken();
  } else {
    banner('Deze pagina is niet in Microsoft Teams geopend.', 'warn');
    if (!LOCAL_MODE) {
      $('loading').hidden = true;
      banner('Open het tabblad Storingsmelder in Teams om de cijfers te zien (inloggen gaat via Teams).', 'error');
      return;
    }
  }
  if (LOCAL_MODE) banner('Lokale modus: inloggen via Teams is niet nodig; iedereen ziet deze cijfers.', 'info');
  const res = await fetch('/api/stats', { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    $('loading').hidden = true;
    const refused = res.status === 403 ? `Alleen het management kan deze cijfers zien.${LOCAL_MODE && body.message ? ` (${body.message})` : ''}` : undefined;
    banner(refused ?? `De cijfers konden niet worden geladen (${res.status}${body.message ? `: ${body.message}` : ''}).`, 'error');
    return;
  }
  render((await res.json()) as Stats);
}

main().catch((error: Error) => {
  $('loading').hidden = true;
  banner(`Er ging iets mis: ${error.message}`, 'error');
});
