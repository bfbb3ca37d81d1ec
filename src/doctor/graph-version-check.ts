/**
 * The Graph API version: Meta switches each version off about two years after its release, and
 * then every call fails. The table is Meta's "Graph API versions" changelog
 * (developers.facebook.com/docs/graph-api/changelog/versions) and its blog, as read on
 * 2026-12-07: v27.0 released 4 November 2026 and v26.0 (29 July 2026) have no end date yet. A
 * version newer than the table is taken as current.
 *
 * The default (config.ts) stays v25.0: it is the version whose behaviour the stand-ins speak and
 * the tests check (a send answer without contacts[].wa_id, the BSUID fields), supported until 29
 * July 2028. v26 and v27 pass this check; moving the default is a change to test against them.
 */
import type { Config } from '../config';
import { fail, ok, warn, type CheckResult } from './check';

const NAME = 'Graph API version';
export const VERSIONS_CHECKED_ON = '2026-12-07';

/** Version -> the day Meta switches it off (null: not announced yet). */
export const GRAPH_API_EXPIRY: Record<string, string | null> = {
  'v27.0': null,
  'v26.0': null,
  'v25.0': '2028-07-29',
  'v24.0': '2028-02-18',
  'v23.0': '2027-10-08',
  'v22.0': '2027-05-20',
  'v21.0': '2027-01-21',
  'v20.0': '2026-09-24',
  'v19.0': '2026-05-21',
  'v18.0': '2026-01-26',
};

const WARN_DAYS = 90;

export function checkGraphVersion(config: Config, now: Date): CheckResult {
  const version = config.whatsapp.version;
  const fix = 'set WHATSAPP_API_VERSION to a current version (v25.0 is supported until 29 July 2028) and run the tests against it';
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (!(version in GRAPH_API_EXPIRY)) {
    return major > 27 ? ok(NAME, `${version}: newer than Meta's table of ${VERSIONS_CHECKED_ON}`) : fail(NAME, `${version} was switched off by Meta (before ${VERSIONS_CHECKED_ON})`, fix);
  }
  const expiry = GRAPH_API_EXPIRY[version];
  if (expiry === null) return ok(NAME, `${version}: no end date announced (Meta's table of ${VERSIONS_CHECKED_ON})`);
  const days = Math.floor((Date.parse(`${expiry}T00:00:00Z`) - now.getTime()) / 86_400_000);
  if (days < 0) return fail(NAME, `${version} was switched off by Meta on ${expiry}: every call fails`, fix);
  if (days <= WARN_DAYS) return warn(NAME, `${version} is switched off by Meta on ${expiry}, in ${days} days`, fix);
  return ok(NAME, `${version}, supported until ${expiry}`);
}
