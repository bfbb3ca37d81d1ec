/**
 * The playground page (browser): three phones and the mailbox, refreshed every second from
 * /playground/api/state. Typing in a phone posts it as the phone's WhatsApp message; opening a
 * phone (a click or a focus in it) reads what it received, which sends the read receipts.
 */
import { whatsappToHtml } from '../../lib/whatsapp-format';
import type { MailView, PhoneMessage, PhoneView, PlaygroundState } from '../state';

const KIND: Record<string, string> = { stappenplan: 'Stappenplan', avg_opt_in: 'AVG-bericht bij aanmelding', avg_opt_out: 'AVG-bericht bij afmelding' };
const MAIL_STATUS: Record<string, string> = { sent: 'verstuurd', pending: 'wacht op verzending', failed: 'mislukt' };
const TICKS: Record<PhoneMessage['status'], { mark: string; label: string }> = {
  pending: { mark: '◔', label: 'wordt verstuurd' },
  sent: { mark: '✓', label: 'verstuurd' },
  delivered: { mark: '✓✓', label: 'afgeleverd' },
  read: { mark: '✓✓', label: 'gelezen' },
  failed: { mark: '!', label: 'niet aangekomen' },
};

const $ = (id: string) => document.getElementById(id)!;
const time = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const rendered = new Map<string, string>();
let selectedMail: string | undefined;
let mailView: 'text' | 'html' = 'text';
let mails: MailView[] = [];

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function displayNumber(digits: string): string {
  return digits.startsWith('31') ? `+31 ${digits.slice(2, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}` : `+${digits}`;
}

/** WhatsApp's limit for one text message. */
const MAX_TEXT = 4096;

function post(path: string, body?: unknown): Promise<Response> {
  return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
}

function buildPhone(phone: PhoneView): HTMLElement {
  const article = element('article', { class: 'phone', 'data-number': phone.number, 'aria-label': phone.label });
  const header = element('header');
  // Removing WhatsApp from a phone shows what staff see when Meta cannot deliver (131026): the
  // failure reason on the status card, and Opnieuw proberen (mislukt) once it is back.
  const toggle = element('button', { type: 'button', class: 'whatsapp-toggle', 'aria-pressed': 'false' }, 'WhatsApp verwijderen');
  toggle.addEventListener('click', (event) => {
    event.stopPropagation();
    const removing = toggle.getAttribute('aria-pressed') !== 'true';
    void post(`/playground/api/phones/${phone.number}/whatsapp`, { on: !removing }).then(refresh);
  });
  header.append(toggle, element('strong', {}, phone.label), element('small', {}, displayNumber(phone.number)));
  const chat = element('div', { class: 'chat', role: 'log', 'aria-live': 'polite', tabindex: '0' });
  const form = element('form');
  const input = element('input', { type: 'text', placeholder: 'Typ een bericht', 'aria-label': `Bericht vanaf ${phone.label}`, autocomplete: 'off' });
  const send = element('button', { type: 'submit' }, 'Verstuur');
  const problem = element('p', { class: 'problem', role: 'alert' });
  form.append(input, send);
  // WhatsApp itself takes at most 4,096 characters: a longer text is refused here, in Dutch, and
  // kept in the field (it used to vanish without a word, the server's English 400 unseen).
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    problem.textContent = '';
    if (!text) return;
    if (text.length > MAX_TEXT) {
      problem.textContent = `Niet verstuurd: een WhatsApp-bericht is hoogstens ${MAX_TEXT.toLocaleString('nl-NL')} tekens; dit zijn er ${text.length.toLocaleString('nl-NL')}.`;
      return;
    }
    input.value = '';
    void post(`/playground/api/phones/${phone.number}/messages`, { text }).then(async (res) => {
      if (!res.ok) {
        input.value = text;
        problem.textContent = `Niet verstuurd (${res.status}): ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? 'de server weigerde het bericht'}.`;
      }
      await refresh();
    });
  });
  // Opening the chat reads what arrived: WhatsApp then sends the read receipts.
  let reading = false;
  const open = () => {
    if (reading) return;
    reading = true;
    void post(`/playground/api/phones/${phone.number}/read`).then(refresh).finally(() => (reading = false));
  };
  article.addEventListener('click', open);
  article.addEventListener('focusin', open);
  article.append(header, chat, form, problem);
  return article;
}

function renderChat(chat: HTMLElement, messages: PhoneMessage[]): void {
  chat.replaceChildren();
  if (messages.length === 0) chat.append(element('p', { class: 'empty' }, 'Nog geen berichten. Stuur de aanmeldzin uit het stappenplan om je aan te melden.'));
  for (const message of messages) {
    const bubble = element('div', { class: `bubble from-${message.from}`, 'data-status': message.status });
    const body = element('span', { class: 'text' });
    body.innerHTML = whatsappToHtml(message.text);
    const meta = element('span', { class: 'meta' }, time.format(new Date(message.at)));
    // On the service's messages: the statuses reported back to it; on the phone's own: whether the webhook was taken.
    const tick = TICKS[message.status];
    meta.append(element('span', { class: `ticks ${message.status}`, title: tick.label, 'aria-label': tick.label }, tick.mark));
    bubble.append(body, meta);
    chat.append(bubble);
  }
  chat.scrollTop = chat.scrollHeight;
}

function renderPhones(phones: PhoneView[]): void {
  const container = $('phones');
  for (const phone of phones) {
    let article = container.querySelector<HTMLElement>(`[data-number="${phone.number}"]`);
    if (!article) {
      article = buildPhone(phone);
      container.append(article);
    }
    article.classList.toggle('off-whatsapp', !phone.onWhatsApp);
    const toggle = article.querySelector<HTMLButtonElement>('.whatsapp-toggle')!;
    toggle.setAttribute('aria-pressed', String(!phone.onWhatsApp));
    toggle.textContent = phone.onWhatsApp ? 'WhatsApp verwijderen' : 'WhatsApp installeren';
    for (const control of article.querySelectorAll<HTMLInputElement | HTMLButtonElement>('form input, form button')) control.disabled = !phone.onWhatsApp;
    const json = JSON.stringify(phone.messages);
    if (rendered.get(phone.number) !== json) {
      rendered.set(phone.number, json);
      renderChat(article.querySelector('.chat')!, phone.messages);
    }
  }
}

function renderMailbox(list: MailView[]): void {
  const json = JSON.stringify(list.map((m) => [m.id, m.status]));
  if (rendered.get('mailbox') === json) return;
  rendered.set('mailbox', json);
  mails = list;
  $('mail-count').textContent = `(${list.length})`;
  const ul = $('mails');
  ul.replaceChildren();
  if (list.length === 0) ul.append(element('li', { class: 'muted' }, 'Nog geen e-mail.'));
  for (const mail of list) {
    const button = element('button', { type: 'button', 'aria-pressed': String(mail.id === selectedMail), 'data-kind': mail.kind });
    button.append(element('div', { class: 'kind' }, `${KIND[mail.kind] ?? mail.kind} · ${dateTime.format(new Date(mail.createdAt))}`), element('div', {}, mail.subject));
    button.addEventListener('click', () => {
      selectedMail = mail.id;
      rendered.delete('mailbox');
      renderMailbox(mails);
    });
    const item = element('li');
    item.append(button);
    ul.append(item);
  }
  renderMail();
}

function renderMail(): void {
  const mail = mails.find((m) => m.id === selectedMail);
  const box = $('mail');
  box.hidden = !mail;
  // Rebuilt only when something shown changes: a new iframe would blank the HTML view for a moment.
  const key = mail ? `${mail.id}:${mail.status}:${mailView}` : '';
  if (!mail || rendered.get('mail') === key) return;
  rendered.set('mail', key);
  box.replaceChildren();
  const facts = element('dl');
  const fact = (label: string, value: string) => facts.append(element('dt', {}, label), element('dd', {}, value));
  fact('Aan', mail.to);
  // Only the AVG mails go to the CRM archive; the stappenplan never has a BCC.
  fact('BCC', mail.bcc ?? (mail.kind === 'stappenplan' ? '– (alleen de AVG-berichten gaan in BCC naar het CRM-archief)' : '– (geen CRM_ARCHIVE_BCC ingesteld)'));
  fact('Onderwerp', mail.subject);
  // Status and the archive's sha256 on one line (the full hash on hover): the body starts above
  // the fold at 1280x800, with the mail list at most three mails high.
  fact('Status', `${MAIL_STATUS[mail.status] ?? mail.status}${mail.sentAt ? ` op ${dateTime.format(new Date(mail.sentAt))}` : ''} · sha256 ${mail.sha256.slice(0, 12)}…`);
  (facts.lastElementChild as HTMLElement).title = `sha256 ${mail.sha256}`;
  const tabs = element('div', { class: 'tabs', role: 'tablist' });
  for (const [view, label] of [['text', 'Tekst'], ['html', 'HTML']] as const) {
    const tab = element('button', { type: 'button', role: 'tab', 'aria-selected': String(mailView === view) }, label);
    tab.addEventListener('click', () => {
      mailView = view;
      renderMail();
    });
    tabs.append(tab);
  }
  box.append(facts, tabs);
  if (mailView === 'text') {
    box.append(element('pre', { class: 'mail-text' }, mail.text));
  } else {
    // No scripts, no same origin: the mail's HTML can only be looked at.
    const frame = element('iframe', { sandbox: '', title: `HTML van ${mail.subject}` });
    frame.srcdoc = mail.html;
    box.append(frame);
  }
}

let busy = false;
async function refresh(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    const res = await fetch('/playground/api/state', { cache: 'no-store' });
    if (!res.ok) return;
    const state = (await res.json()) as PlaygroundState;
    const teams = $('link-teams') as HTMLAnchorElement;
    if (state.links.teams) teams.href = state.links.teams;
    else {
      // npm start serves this page too, but only npm run playground starts the Teams client.
      teams.removeAttribute('href');
      teams.textContent = 'Teams: start npm run playground';
    }
    $('wa-number').textContent = state.whatsappNumber;
    renderPhones(state.phones);
    renderMailbox(state.mailbox);
  } finally {
    busy = false;
  }
}

void refresh();
setInterval(() => void refresh(), 1000);
