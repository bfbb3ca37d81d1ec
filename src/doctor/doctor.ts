/**
 * `npm run doctor`: checks every real dependency with the configuration the service would
 * start with, and prints one line per check (✓, ✗ with the fix, – for what was not checked).
 */
import type { Config } from '../config';
import { checkBot } from './bot-check';
import type { CheckResult } from './check';
import { checkDatabase } from './database-check';
import { checkMail } from './mail-check';
import { checkPublicUrl } from './public-url-check';
import { checkWhatsApp } from './whatsapp-check';

export async function runDoctor(config: Config): Promise<CheckResult[]> {
  const [database, mail, bot, whatsapp, publicUrl] = await Promise.all([checkDatabase(config), checkMail(config), checkBot(config), checkWhatsApp(config), checkPublicUrl(config)]);
  return [database, ...mail, ...bot, ...whatsapp, publicUrl];
}

const MARK = { ok: '✓', fail: '✗', skip: '–' };

/** The report, with every secret of the configuration blanked out wherever it might appear. */
export function formatReport(config: Config, results: CheckResult[]): string {
  const local = config.bot.localMode || config.whatsapp.localMode;
  const mode = config.bot.localMode && config.whatsapp.localMode ? 'local mode (no Bot Framework or WhatsApp credentials): checking what exists' : local ? 'partly local (credentials for one side only)' : 'production credentials';
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = [`Storingsmelder doctor: ${mode}`];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`  ${' '.repeat(width)}  fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(failed === 0 ? `All ${results.filter((r) => r.status === 'ok').length} checks passed${results.some((r) => r.status === 'skip') ? ' (– not checked, see why)' : ''}.` : `${failed} of ${results.length} checks failed.`);
  return blankSecrets(lines.join('\n'), config);
}

function blankSecrets(text: string, config: Config): string {
  const smtpPassword = config.mail.smtpUrl ? decodeURIComponent(new URL(config.mail.smtpUrl).password) : '';
  const secrets = [config.bot.appPassword, config.whatsapp.localMode ? '' : config.whatsapp.accessToken, config.whatsapp.localMode ? '' : config.whatsapp.appSecret, smtpPassword].filter((s): s is string => !!s && s.length >= 4);
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}
