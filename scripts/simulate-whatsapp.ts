/**
 * Plays a subscriber's phone against a running Storingsmelder: posts a WhatsApp webhook with an
 * inbound text message, signed like Meta signs it (X-Hub-Signature-256 with the app secret).
 * Usage: node dist/scripts/simulate-whatsapp.js <phone, e.g. 31612345678> "<text>"
 * Reads PORT, WHATSAPP_APP_SECRET and WHATSAPP_PHONE_NUMBER_ID like the service (local defaults).
 */
import { loadConfig, loadDotEnv } from '../src/config';
import { LOCAL_DISPLAY_NUMBER } from '../src/lib/local-whatsapp-number';
import { postSignedWebhook, textMessageWebhook } from '../src/local/webhook-payloads';

async function main(): Promise<void> {
  const [phone, ...words] = process.argv.slice(2);
  if (!phone || words.length === 0 || !/^\d{8,15}$/.test(phone)) throw new Error('usage: simulate-whatsapp <phone digits, e.g. 31612345678> "<text>"');
  loadDotEnv();
  const config = loadConfig(process.env, { purpose: 'tool' });
  const body = textMessageWebhook({ ...config.whatsapp, displayNumber: LOCAL_DISPLAY_NUMBER.replace(/\D/g, '') }, phone, words.join(' '));
  const status = await postSignedWebhook(`http://127.0.0.1:${config.port}/webhooks/whatsapp`, config.whatsapp.appSecret, body);
  process.stdout.write(`${status}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
