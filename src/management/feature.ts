import type { AppContext, Feature } from '../feature';
import { notImplemented } from '../server';

/** The management tab: the page at /tab and its figures at /api/stats. */
export function managementFeature(_ctx: AppContext): Feature {
  return { name: 'management', routes: [notImplemented('get', '/tab'), notImplemented('get', '/api/stats')] };
}
