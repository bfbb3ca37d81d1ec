/**
 * The management tab: the page at /tab (static HTML + the bundled browser code from
 * dist/tab/) and its figures at /api/stats, open in local mode and otherwise only with a
 * manager's Teams SSO token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Feature } from '../feature';
import type { Stats } from '../services/stats/stats';
import { SsoVerifier } from './sso';

const TAB_DIR = path.resolve(__dirname, '../../tab');

export interface ManagementDependencies {
  config: Config;
  /** The figures of GET /api/stats, from the domain. */
  loadStats(): Promise<Stats>;
}

export function managementFeature(ctx: ManagementDependencies): Feature {
  const sso = new SsoVerifier(ctx.config);
  const asset = (file: string) => readFileSync(path.join(TAB_DIR, file));
  return {
    name: 'management',
    routes: [
      {
        method: 'get',
        path: '/tab',
        handler: async (_req, res) => {
          const html = asset('index.html').toString('utf8').replace('__LOCAL_MODE__', ctx.config.bot.localMode ? 'true' : 'false');
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.setHeader('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors teams.microsoft.com *.teams.microsoft.com *.office.com *.cloud.microsoft");
          res.writeHead(200);
          res.end(html);
        },
      },
      {
        method: 'get',
        path: '/tab/tab.js',
        handler: async (_req, res) => {
          res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
          res.setHeader('Cache-Control', 'no-cache');
          res.writeHead(200);
          res.end(asset('tab.js'));
        },
      },
      {
        method: 'get',
        path: '/api/stats',
        handler: async (req, res) => {
          if (!ctx.config.bot.localMode) await sso.verify(req.headers.authorization);
          res.setHeader('Cache-Control', 'no-store');
          res.send(200, await ctx.loadStats());
        },
      },
    ],
  };
}
