/**
 * `npm run doctor`: checks every real dependency with the configuration the service would
 * start with, and prints one line per check (✓, ✗ with the fix, – for what was not checked).
 * It passes (exit 0) only for a complete production configuration: every check ran and passed.
 */
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import { checkBot } from './bot-check';
import type { CheckResult } from './check';
import { checkDatabase } from './database-check';
import { checkGraphVersion } from './graph-version-check';
import { checkMail } from './mail-check';
import { checkProduction } from './production-check';
import { checkPublicUrl } from './public-url-check';
import { checkWhatsApp } from './whatsapp-check';

export async function runDoctor(config: Config, serves: 'all' | 'teams' | 'whatsapp', clock: Clock): Promise<CheckResult[]> {
  // A host that serves one side is checked for that side only.
  const [database, mail, bot, whatsapp, publicUrl] = await Promise.all([
    checkDatabase(config),
    checkMail(config),
    serves === 'whatsapp' ? [] : checkBot(config),
    serves === 'teams' ? [] : checkWhatsApp(config),
    checkPublicUrl(config),
  ]);
  const graphVersion = config.whatsapp.localMode || serves === 'teams' ? [] : [checkGraphVersion(config, clock())];
  return [...checkProduction(config, serves), ...database, ...mail, ...bot, ...whatsapp, ...graphVersion, publicUrl];
}

/** Ready to go live: nothing failed and nothing was left unchecked (a warning still passes). */
export function passed(results: CheckResult[]): boolean {
  return results.every((r) => r.status === 'ok' || r.status === 'warn');
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '–' };

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
  const skipped = results.filter((r) => r.status === 'skip').length;
  if (failed > 0) lines.push(`${failed} of ${results.length} checks failed${skipped > 0 ? `, ${skipped} not checked` : ''}: not ready for production.`);
  else if (skipped > 0) lines.push(`${skipped} of ${results.length} checks could not run (– see why): not ready for production.`);
  else lines.push(`All ${results.length} checks passed.`);
  return blankSecrets(lines.join('\n'), config);
}

function blankSecrets(text: string, config: Config): string {
  const smtpPassword = config.mail.smtpUrl ? decodeURIComponent(new URL(config.mail.smtpUrl).password) : '';
  const secrets = [config.bot.appPassword, config.whatsapp.localMode ? '' : config.whatsapp.accessToken, config.whatsapp.localMode ? '' : config.whatsapp.appSecret, smtpPassword, ...config.pseudonymKeys.all.map((key) => key.secret)].filter((s): s is string => !!s && s.length >= 4);
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}
