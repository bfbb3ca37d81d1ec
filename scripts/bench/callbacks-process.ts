/**
 * Meta's status callbacks for the bench's storm, in a process of its own: the Graph API
 * stand-in hands over every message it accepted ({ accepted: [id, to, opaque, at][] }), and
 * this plays what Meta would send back, signed, to the service's instances in turn. Answers
 * 'storm-stats' with what it posted and what the ledger should now say.
 */
import { randomInt } from 'node:crypto';
import http from 'node:http';
import { signBody } from '../../src/channels/whatsapp/webhook';
import { statusWebhook, type DeliveryStatusName, type StatusEvent } from '../../src/local/webhook-payloads';

interface StormSettings {
  targets: string[];
  appSecret: string;
  phoneNumberId: string;
}

const RANK: Record<DeliveryStatusName, number> = { sent: 1, delivered: 2, read: 3, failed: 4 };
const TICK_MS = 10;

/**
 * Meta's callbacks as the bench plays them: `sent` ~50 ms after acceptance, `delivered` after
 * 1-3 s, `read` for 60% after 5-30 s; 5% of callbacks twice, 5% of messages with `delivered`
 * before `sent`; due callbacks batched 1-8 to a webhook (several messages in one, as Meta
 * does), at most 64 webhooks in flight.
 */
class Storm {
  private readonly wheel = new Map<number, StatusEvent[]>();
  private tick = Math.floor(Date.now() / TICK_MS);
  private readonly timer: NodeJS.Timeout;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly queue: StatusEvent[][] = [];
  private inFlight = 0;
  private next = 0;
  /** Per recipient: the highest status we reported for any of its messages. */
  readonly final = new Map<string, DeliveryStatusName>();
  readonly webhooks: { at: number; ms: number; status: number; statuses: number }[] = [];
  callbacks = 0;
  private scheduled = 0;

  constructor(private readonly settings: StormSettings) {
    this.timer = setInterval(() => this.run(), TICK_MS);
  }

  accept(id: string, to: string, opaque: string | undefined, at: number): void {
    const read = Math.random() < 0.6;
    let sentAt = at + 30 + randomInt(40);
    let deliveredAt = at + 1000 + randomInt(2000);
    if (Math.random() < 0.05) [sentAt, deliveredAt] = [deliveredAt, sentAt];
    this.schedule({ id, status: 'sent', at: new Date(sentAt), recipient: to, opaque });
    this.schedule({ id, status: 'delivered', at: new Date(deliveredAt), recipient: to, opaque });
    if (read) this.schedule({ id, status: 'read', at: new Date(at + 5000 + randomInt(25_000)), recipient: to, opaque });
    const best = read ? 'read' : 'delivered';
    const known = this.final.get(to);
    if (!known || RANK[best] > RANK[known]) this.final.set(to, best);
  }

  /** Callbacks still to post or in flight. */
  get pending(): number {
    return this.scheduled + this.queue.reduce((n, b) => n + b.length, 0) + this.inFlight;
  }

  stop(): void {
    clearInterval(this.timer);
    this.agent.destroy();
  }

  private schedule(event: StatusEvent, duplicate = Math.random() < 0.05): void {
    // A callback due already (the message reached us late) goes out with the next tick.
    const slot = Math.max(this.tick, Math.floor(event.at.getTime() / TICK_MS));
    const list = this.wheel.get(slot) ?? [];
    list.push(event);
    this.wheel.set(slot, list);
    this.scheduled += 1;
    if (duplicate) this.schedule({ ...event, at: new Date(event.at.getTime() + 100 + randomInt(1900)) }, false);
  }

  private run(): void {
    const now = Math.floor(Date.now() / TICK_MS);
    const due: StatusEvent[] = [];
    for (; this.tick <= now; this.tick++) {
      const list = this.wheel.get(this.tick);
      if (list) {
        due.push(...list);
        this.wheel.delete(this.tick);
      }
    }
    this.scheduled -= due.length;
    while (due.length > 0) this.queue.push(due.splice(0, 1 + randomInt(8)));
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < 64 && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      this.inFlight += batch.length;
      void this.post(batch).finally(() => {
        this.inFlight -= batch.length;
        this.pump();
      });
    }
  }

  private post(batch: StatusEvent[]): Promise<void> {
    // Meta stamps each status with when it happened; the body goes to the next instance in turn.
    const body = JSON.stringify(statusWebhook({ phoneNumberId: this.settings.phoneNumberId, displayNumber: '31854869699' }, batch));
    const url = new URL('/webhooks/whatsapp', this.settings.targets[this.next++ % this.settings.targets.length]);
    const started = Date.now();
    return new Promise((resolve) => {
      const req = http.request(url, { method: 'POST', agent: this.agent, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(this.settings.appSecret, body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          this.webhooks.push({ at: started, ms: Date.now() - started, status: res.statusCode ?? 0, statuses: batch.length });
          this.callbacks += batch.length;
          resolve();
        });
      });
      req.on('error', () => {
        // An instance killed on purpose: Meta retries, and so do we (the batch goes back in the
        // queue, and its next attempt to the next instance in turn).
        this.webhooks.push({ at: started, ms: Date.now() - started, status: 0, statuses: batch.length });
        this.queue.push(batch);
        resolve();
      });
      req.end(body);
    });
  }
}


let storm: Storm | undefined;
process.on('message', (message: 'storm-stats' | { storm: StormSettings } | { accepted: [string, string, string | undefined, number][] }) => {
  if (message === 'storm-stats') {
    process.send?.({ pending: storm?.pending ?? 0, callbacks: storm?.callbacks ?? 0, webhooks: storm?.webhooks ?? [], final: [...(storm?.final ?? [])], rssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
  } else if ('storm' in message) {
    storm = new Storm(message.storm);
  } else if ('accepted' in message) {
    for (const [id, to, opaque, at] of message.accepted) storm?.accept(id, to, opaque, at);
  }
});
process.on('disconnect', () => process.exit(0));
