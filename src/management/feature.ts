/**
 * The management tab: the page at /tab (static HTML + the bundled browser code from
 * dist/tab/) and its figures at /api/stats, open in local mode and otherwise only with a
 * manager's Teams SSO token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TabSettings } from '../config';
import type { Feature } from '../feature';
import { sendAsset } from '../http/assets';
import { ForbiddenError } from '../http/errors';
import type { Stats } from '../services/stats/stats';
import { SsoVerifier } from './sso';

const TAB_DIR = path.resolve(__dirname, '../../tab');

/**
 * The tab's page runs only its own script and styles, can be framed only by Teams and Microsoft
 * 365, and may fetch only its own API and the list of hosts teams-js checks its parent against
 * (teams-js loads it from res.cdn.office.net at start).
 */
const TAB_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' https://res.cdn.office.net",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'none'",
  'frame-ancestors teams.microsoft.com *.teams.microsoft.com *.office.com *.cloud.microsoft',
].join('; ');

export interface ManagementDependencies {
  config: TabSettings;
  /** The figures of GET /api/stats, from the domain. */
  loadStats(): Promise<Stats>;
  /** Whether an Entra object id may see them (the settings' list or a grant of /rechten). */
  isManager(aadObjectId: string): Promise<boolean>;
}

export function managementFeature(ctx: ManagementDependencies): Feature {
  const sso = new SsoVerifier(ctx.config, (aadObjectId) => ctx.isManager(aadObjectId));
  const asset = (file: string) => readFileSync(path.join(TAB_DIR, file));
  return {
    name: 'management',
    routes: [
      {
        method: 'get',
        path: '/tab',
        handler: async (_req, res) => {
          const html = asset('index.html').toString('utf8').replace('__LOCAL_MODE__', ctx.config.bot.localMode ? 'true' : 'false');
          sendAsset(res, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': TAB_CSP, 'X-Content-Type-Options': 'nosniff' });
        },
      },
      {
        method: 'get',
        path: '/tab/tab.js',
        handler: async (_req, res) => {
          sendAsset(res, 'application/javascript; charset=utf-8', asset('tab.js'), { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
        },
      },
      {
        method: 'get',
        path: '/api/stats',
        handler: async (req, res) => {
          if (!ctx.config.bot.localMode) await sso.verify(req.headers.authorization);
          // Local mode has no Teams sign-in to tell who asks: a manager list, once set, lets nobody in.
          else if (ctx.config.bot.managerIds.length > 0) throw new ForbiddenError('MANAGER_AAD_OBJECT_IDS is set, and local mode has no Teams sign-in to check it: unset it to see the figures locally');
          res.setHeader('Cache-Control', 'no-store');
          res.send(200, await ctx.loadStats());
        },
      },
    ],
  };
}
