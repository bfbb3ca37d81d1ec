import type { AppContext, Feature } from '../../feature';
import { notImplemented } from '../../server';

/** The WhatsApp channel: webhook verification and events. */
export function whatsappFeature(_ctx: AppContext): Feature {
  return { name: 'whatsapp', routes: [notImplemented('get', '/webhooks/whatsapp'), notImplemented('post', '/webhooks/whatsapp')] };
}
