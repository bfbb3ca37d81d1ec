import type { AppContext, Feature } from '../feature';
import { notImplemented } from '../server';

/** The Teams staff bot: POST /api/messages. */
export function teamsBotFeature(_ctx: AppContext): Feature {
  return { name: 'teams-bot', routes: [notImplemented('post', '/api/messages')] };
}
