/**
 * Plays a subscriber's phone against a running Storingsmelder: posts a WhatsApp webhook with an
 * inbound text message, signed like Meta signs it (X-Hub-Signature-256 with the app secret).
 * Usage: node dist/scripts/simulate-whatsapp.js <phone, e.g. 31612345678> "<text>"
 * Reads PORT, WHATSAPP_APP_SECRET and WHATSAPP_PHONE_NUMBER_ID like the service (local defaults).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, loadDotEnv } from '../src/config';
import { signBody } from '../src/services/whatsapp/webhook';

async function main(): Promise<void> {
  const [phone, ...words] = process.argv.slice(2);
  if (!phone || words.length === 0 || !/^\d{8,15}$/.test(phone)) throw new Error('usage: simulate-whatsapp <phone digits, e.g. 31612345678> "<text>"');
  loadDotEnv();
  const config = loadConfig();
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'local-waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: config.whatsapp.displayNumber.replace(/\D/g, ''), phone_number_id: config.whatsapp.phoneNumberId },
              contacts: [{ profile: { name: 'Simulator' }, wa_id: phone }],
              messages: [{ from: phone, id: `wamid.SIM${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: words.join(' ') } }],
            },
          },
        ],
      },
    ],
  });
  const res = await fetch(`http://127.0.0.1:${config.port}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(config.whatsapp.appSecret, body) },
    body,
  });
  process.stdout.write(`${res.status} ${await res.text()}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
