import type { AppContext, Feature } from '../../feature';

/** The broadcast dispatcher: sends queued deliveries within the rate limit. */
export function dispatcherFeature(_ctx: AppContext): Feature {
  return { name: 'dispatcher', routes: [] };
}
