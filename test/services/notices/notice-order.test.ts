/**
 * Old never after new (issue 25, notices/notice-lifecycle.ts): no recipient ever receives an
 * older notice of an outage after a newer one. Each path asserts, per recipient, the order of the
 * notices that reached them (what the Graph stand-in accepted): pause then Hervatten, a back-off
 * retry, a retry of failures, a held or awaiting-approval older notice, and two instances.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { loadConfig, type Config } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { OutageMessage, OutageMessageKind, OutageScope, OutageService, OutageSeverity } from '../../../src/entities';
import { fixedClock } from '../../../src/lib/clock';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import { SUPERSEDED_REFUSAL } from '../../../src/services/notices/notice-lifecycle';
import { Outages, type Draft } from '../../../src/services/notices/outages';
import { formatDutch } from '../../../src/services/notices/business-hours';
import { StaffDesk } from '../../../src/services/staff-desk';
import { statusCard } from '../../../src/bots/cards';
import { seedSubscribers, statusCounts, until } from '../../helpers/broadcast';
import { testErasureLog } from '../../helpers/data-dir';
import { memoryLogger } from '../../helpers/logger';
import { freshDatabase } from '../../helpers/postgres';
import { ScriptedGraphStandIn } from '../../helpers/scripted-graph';

/** A Sunday, and the working Tuesday after it at 10:00 in Amsterdam. */
const SUNDAY = new Date('2026-12-06T09:00:00Z');
const TUESDAY = new Date('2026-12-08T09:00:00Z');

const draft = (kind: OutageMessageKind, text: string): Draft => ({ kind, service: OutageService.Internet, scope: OutageScope.Landelijk, regions: [], severity: OutageSeverity.Hoog, text, expectedResolution: undefined });
const STORING = draft(OutageMessageKind.Initial, 'Landelijke storing op het KPN-netwerk, geen internet.');
const UPDATE = draft(OutageMessageKind.Update, 'Monteurs zijn ter plaatse, herstel verwacht vanmiddag.');
const OPGELOST = draft(OutageMessageKind.Resolved, 'De storing is verholpen, alles werkt weer.');

describe('old never after new: one lifecycle per notice', function () {
  this.timeout(60_000);
  let db: DataSource;
  let url: string;
  let graph: ScriptedGraphStandIn;
  let client: CloudApiClient;
  const dispatchers: Dispatcher[] = [];
  /** What reached each number, in order: the first template parameter (Storing, Update, Opgelost). */
  let received: Map<string, string[]>;
  /** Set to refuse sends as Meta would. */
  let refuse: ((to: string) => { status: number; error: { code: number; message: string } } | undefined) | undefined;
  let numbers = 31692000000;

  beforeEach(async () => {
    url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 10 }).initialize();
    graph = new ScriptedGraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN' });
    client = new CloudApiClient({ baseUrl: await graph.start(), version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', resolvedTemplateName: 'storing_opgelost', templateLanguage: 'nl', timeoutMs: 10_000 });
    received = new Map();
    refuse = undefined;
    graph.decide = (body) => {
      const { to, template } = body as { to: string; template: { name: string; components: { parameters: { text: string }[] }[] } };
      const refused = refuse?.(to);
      if (refused) return refused;
      // A resolution goes out with its own template; the others say what they are in their first parameter.
      const kind = template.name === 'storing_opgelost' ? 'Opgelost' : template.components[0].parameters[0].text;
      received.set(to, [...(received.get(to) ?? []), kind]);
      return undefined;
    };
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    client.close();
    await graph.stop();
    await db.destroy();
  });

  function config(env: Record<string, string> = {}): Config {
    return loadConfig({ ERASURE_LOG: testErasureLog(), ...env }, { purpose: 'local' });
  }

  function dispatcher(maxMps = 1000): Dispatcher {
    const d = new Dispatcher(db, client, memoryLogger().logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps, idlePollMs: 100, pairGapMs: 0 });
    dispatchers.push(d);
    d.start();
    return d;
  }

  async function seed(count: number): Promise<string[]> {
    const first = numbers;
    numbers += count;
    await seedSubscribers(db, count, first);
    return Array.from({ length: count }, (_, i) => String(first + i));
  }

  /** The staff desk as the bot uses it (it sends no e-mail here). */
  const desk = () => new StaffDesk(db, config({ BUSINESS_HOURS: 'always' }), { flushSoon: async () => undefined, start: async () => undefined, stop: async () => undefined }, fixedClock(TUESDAY));
  const statusOf = async (id: string): Promise<string> => (await db.getRepository(OutageMessage).findOneByOrFail({ id })).status;
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('accepted'),
      (error: { dutch?: string }) => error.dutch,
    );
  /** No number got an older kind after a newer one. */
  function expectNoOldAfterNew(order: string[]): void {
    for (const [to, kinds] of received) {
      const ranks = kinds.map((kind) => order.indexOf(kind));
      expect(ranks, `${to}: ${kinds.join(' then ')}`).to.deep.equal([...ranks].sort((a, b) => a - b));
    }
  }

  it('pause then Hervatten: the paused first notice is superseded by Opgelost, refuses Hervatten, and never arrives', async () => {
    const phones = await seed(2);
    const outages = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    // Meta answers 131048 (spam rate limit) to every send: the first notice pauses.
    refuse = () => ({ status: 400, error: { code: 131048, message: 'Spam rate limit hit' } });
    const first = await outages.send({ draft: STORING, createdBy: 'staff-1', requestId: 'order-1' });
    dispatcher();
    await until(async () => (await statusOf(first.id)) === 'paused', 10_000, 'the first notice paused');
    await until(async () => ((await statusCounts(db, first.id)).sending ?? 0) === 0, 10_000, 'in-flight handed back');

    // Meta lets sends through again; staff send Opgelost, which goes out.
    refuse = undefined;
    const resolved = await outages.send({ draft: OPGELOST, outageId: first.outageId, createdBy: 'staff-1', requestId: 'order-2' });
    await until(async () => (await statusOf(resolved.id)) === 'done', 10_000, 'Opgelost sent');
    const replaced = await db.getRepository(OutageMessage).findOneByOrFail({ id: first.id });
    expect({ status: replaced.status, supersededBy: replaced.supersededBy }).to.deep.equal({ status: 'superseded', supersededBy: resolved.id });
    expect(await statusCounts(db, first.id), 'its queue cancelled, nobody failed').to.deep.equal({ cancelled: 2 });

    // Its card says what happened, and has no Hervatten any more.
    const shown = await desk().statusOf(first.id);
    expect(shown.statusText).to.equal(`Vervangen door het Opgelost-bericht van ${formatDutch(resolved.createdAt, 'Europe/Amsterdam')}: deze melding wordt niet meer verstuurd. 2 nog niet verstuurde berichten zijn geannuleerd.`);
    expect(((statusCard(shown).actions ?? []) as { verb: string }[]).map((a) => a.verb)).to.deep.equal(['update', 'resolve', 'status'].filter((verb) => verb === 'status' || shown.outageOpen));
    // Someone presses Hervatten on the first notice's card as it was.
    expect(await refusal(outages.resume(first.id, 'staff-2'))).to.equal(SUPERSEDED_REFUSAL);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Object.fromEntries(received)).to.deep.equal(Object.fromEntries(phones.map((p) => [p, ['Opgelost']])));
  });

  it('a back-off retry of a notice still sending never follows the newer notice', async () => {
    const [a, b] = await seed(2);
    const outages = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    // A's first send fails with a temporary error: it waits in the queue for its back-off.
    let failedOnce = false;
    refuse = (to) => (to === a && !failedOnce ? ((failedOnce = true), { status: 500, error: { code: 131000, message: 'Something went wrong' } }) : undefined);
    const first = await outages.send({ draft: STORING, createdBy: 'staff-1', requestId: 'backoff-1' });
    dispatcher();
    await until(async () => failedOnce && (await statusCounts(db, first.id)).sent === 1 && (await statusCounts(db, first.id)).queued === 1, 10_000, 'B sent, A waiting to retry');

    const update = await outages.send({ draft: UPDATE, outageId: first.outageId, createdBy: 'staff-1', requestId: 'backoff-2' });
    await until(async () => (await statusOf(update.id)) === 'done', 10_000, 'the update sent');
    expect(await statusOf(first.id)).to.equal('superseded');
    // Had the retry stayed queued, its back-off ending now would send it after the update.
    await db.query(`UPDATE delivery SET next_attempt_at = now() WHERE outage_message_id = $1 AND status = 'queued'`, [first.id]);
    await db.query(`SELECT pg_notify('delivery_ready', '')`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await statusCounts(db, first.id)).to.deep.equal({ sent: 1, cancelled: 1 });
    expect(received.get(a)).to.deep.equal(['Update']);
    expect(received.get(b)).to.deep.equal(['Storing', 'Update']);
  });

  it('a retry of failures waiting in the queue gives way to a newer notice', async () => {
    const [a, b] = await seed(2);
    const outages = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    refuse = (to) => (to === a ? { status: 400, error: { code: 131026, message: 'Message undeliverable' } } : undefined);
    const first = await outages.send({ draft: STORING, createdBy: 'staff-1', requestId: 'retry-1' });
    const d = dispatcher();
    await until(async () => (await statusOf(first.id)) === 'done', 10_000, 'the first notice done, A failed');
    expect((await desk().statusOf(first.id)).statusText, 'the headline says who was not reached').to.equal('Verstuurd, maar 1 van de 2 berichten is mislukt.');
    await d.stop();
    dispatchers.splice(0);
    refuse = undefined;
    expect((await outages.retryFailed(first.id, 'staff-1')).requeued).to.equal(1);
    // Before the dispatcher gets to the retry, an update is released.
    const update = await outages.send({ draft: UPDATE, outageId: first.outageId, createdBy: 'staff-1', requestId: 'retry-2' });
    dispatcher();
    await until(async () => (await statusOf(update.id)) === 'done', 10_000, 'the update sent');
    expect(await statusOf(first.id)).to.equal('superseded');
    expect(received.get(a)).to.deep.equal(['Update']);
    expect(received.get(b)).to.deep.equal(['Storing', 'Update']);
  });

  it('a held first notice and an awaiting-approval one are superseded by a newer one: never sent, never approved', async () => {
    const phones = await seed(2);
    // Held: sent on Sunday, outside business hours; Opgelost follows before Monday's opening.
    const hours = config({ BUSINESS_HOURS: 'mon-fri 08:30-17:00 Europe/Amsterdam' });
    const weekend = new Outages(db, hours, fixedClock(SUNDAY));
    const held = await weekend.send({ draft: STORING, createdBy: 'staff-1', requestId: 'held-1' });
    const resolved = await weekend.send({ draft: OPGELOST, outageId: held.outageId, createdBy: 'staff-1', requestId: 'held-2' });
    expect([held.status, resolved.status]).to.deep.equal(['held', 'held']);
    expect(await statusOf(held.id)).to.equal('superseded');
    dispatcher();
    expect(await new Outages(db, hours, fixedClock(TUESDAY)).releaseDue()).to.equal(1);
    await until(async () => (await statusOf(resolved.id)) === 'done', 10_000, 'Opgelost sent at the opening');

    // Awaiting approval: the first waits for a second pair of eyes; an update comes first.
    const fourEyes = new Outages(db, config({ BUSINESS_HOURS: 'always', REQUIRE_APPROVAL: 'true' }), fixedClock(TUESDAY));
    const waiting = await fourEyes.send({ draft: STORING, createdBy: 'staff-1', requestId: 'approve-1' });
    const update = await fourEyes.send({ draft: UPDATE, outageId: waiting.outageId, createdBy: 'staff-1', requestId: 'approve-2' });
    expect(await statusOf(waiting.id)).to.equal('superseded');
    expect(await refusal(fourEyes.approve(waiting.id, 'staff-2'))).to.equal(SUPERSEDED_REFUSAL);
    await fourEyes.approve(update.id, 'staff-2');
    await until(async () => (await statusOf(update.id)) === 'done', 10_000, 'the update sent');
    expect(Object.fromEntries(received)).to.deep.equal(Object.fromEntries(phones.map((p) => [p, ['Opgelost', 'Update']])));
  });

  it('a follow-up reaches who got the last notice and who subscribed in the area since; the preview names both numbers', async () => {
    const earlier = await seed(2);
    const outages = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    const regional = (d: Draft): Draft => ({ ...d, scope: OutageScope.Regionaal, regions: ['UT'] });
    const first = await outages.send({ draft: regional(STORING), createdBy: 'staff-1', requestId: 'area-1' });
    dispatcher();
    await until(async () => (await statusOf(first.id)) === 'done', 10_000, 'the first notice sent');
    // While the outage lasts: one more contact subscribes in Utrecht, one in Groningen.
    const [newcomer] = await seed(1);
    const elsewhere = await db.query<{ id: string }[]>(`INSERT INTO customer (customer_number, name, regions) VALUES ('G-1', 'Groningen BV', '{GR}') RETURNING id`);
    await db.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) VALUES ('31692999999', 'Test', $1, 'active')`, [elsewhere[0].id]);
    // Both became active a minute after the first notice went out (its time is the fixed clock's).
    await db.query(`UPDATE subscriber SET activated_at = $1::timestamptz + interval '1 minute' WHERE phone IN ($2, '31692999999')`, [TUESDAY, newcomer]);

    const preview = await outages.preview(regional(OPGELOST), first.outageId);
    expect({ recipients: preview.recipients, newcomers: preview.newcomers }).to.deep.equal({ recipients: 3, newcomers: 1 });
    const resolved = await outages.send({ draft: regional(OPGELOST), outageId: first.outageId, createdBy: 'staff-1', requestId: 'area-2' });
    await until(async () => (await statusOf(resolved.id)) === 'done', 10_000, 'Opgelost sent');
    expect(Object.fromEntries(received)).to.deep.equal({ [earlier[0]]: ['Storing', 'Opgelost'], [earlier[1]]: ['Storing', 'Opgelost'], [newcomer]: ['Opgelost'] });
  });

  it('two instances: the update released on one while the other sends the first never lets the first follow it', async () => {
    await seed(12);
    const instanceA = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    const instanceB = new Outages(db, config({ BUSINESS_HOURS: 'always' }), fixedClock(TUESDAY));
    // Both run a dispatcher (one leads); the first notice goes out slowly, 4 a second.
    dispatcher(4);
    dispatcher(4);
    const first = await instanceA.send({ draft: STORING, createdBy: 'staff-1', requestId: 'two-1' });
    await until(async () => ((await statusCounts(db, first.id)).sent ?? 0) >= 3, 10_000, 'the first notice under way');
    const update = await instanceB.send({ draft: UPDATE, outageId: first.outageId, createdBy: 'staff-2', requestId: 'two-2' });
    await until(async () => (await statusOf(update.id)) === 'done', 20_000, 'the update sent');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await statusOf(first.id)).to.equal('superseded');
    expect([...received.values()].every((kinds) => kinds.at(-1) === 'Update'), 'everyone heard the update last').to.equal(true);
    expect(received.size).to.equal(12);
    expectNoOldAfterNew(['Storing', 'Update', 'Opgelost']);
    const counts = await statusCounts(db, first.id);
    expect((counts.sent ?? 0) + (counts.cancelled ?? 0)).to.equal(12);
  });
});
