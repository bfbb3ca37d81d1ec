/**
 * Why deliveries failed, in Dutch for staff, from Meta's error codes (Meta's "Error codes" page
 * for the Cloud API, read December 2026; docs/platform.md), grouped so that a card says
 * "Niet op WhatsApp 3" instead of "Mislukt 3". `canPass` marks the causes that can be gone
 * later (a phone back on WhatsApp, Meta's per-user limit over): only those are retried by
 * *Opnieuw proberen (mislukt)*.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { REACHABLE } from './audience';

export interface FailureReason {
  key: string;
  label: string;
  canPass: boolean;
}

const REASONS: (FailureReason & { codes: (number | null)[] })[] = [
  { key: 'not_on_whatsapp', label: 'Niet bereikbaar op WhatsApp (geen WhatsApp, een verouderde app of de voorwaarden niet geaccepteerd)', codes: [131026], canPass: true },
  { key: 'held_back', label: 'Door WhatsApp tegengehouden (de ontvanger kreeg al veel berichten van bedrijven)', codes: [131049], canPass: true },
  { key: 'pair_limit', label: 'Te veel berichten kort na elkaar naar dit nummer', codes: [131056], canPass: true },
  { key: 'unavailable', label: 'WhatsApp was tijdelijk niet bereikbaar (na herhaalde pogingen opgegeven)', codes: [131000, 131016, 130429, null], canPass: true },
  { key: 'unsupported', label: 'Dit bericht kan niet naar deze ontvanger (soort bericht of gebruikersnaam niet ondersteund)', codes: [131051, 131062], canPass: false },
  { key: 'stopped', label: 'De ontvanger heeft berichten van bedrijven uitgezet', codes: [131050], canPass: false },
  { key: 'window', label: 'Buiten het 24-uursvenster van WhatsApp', codes: [131047], canPass: false },
];

const OTHER: FailureReason = { key: 'other', label: 'Andere fout', canPass: false };

/** The reason of one error code (null: no answer from Meta, e.g. timeouts until the last attempt). */
export function failureReason(code: number | null): FailureReason {
  const found = REASONS.find((r) => r.codes.includes(code));
  return found ? { key: found.key, label: found.label, canPass: found.canPass } : { ...OTHER, label: `${OTHER.label} (code ${code})` };
}

/** The error codes a retry may re-queue (null included: Meta never answered). */
export const PASSING_CODES = REASONS.filter((r) => r.canPass).flatMap((r) => r.codes);

export interface FailureGroup extends FailureReason {
  count: number;
  /** Recipients' addresses (number or BSUID), at most 10, for masking in a personal chat. */
  addresses: string[];
}

/** A notice's failed deliveries grouped by reason, largest first. */
export async function failureGroups(db: DataSource | EntityManager, outageMessageId: string): Promise<FailureGroup[]> {
  // Ten addresses per code, each from its own short index scan: no sort of every failed row.
  const rows: { code: number | null; count: number; addresses: (string | null)[] }[] = await db.query(
    `SELECT g.code, g.count,
            ARRAY(SELECT coalesce(d.phone, d.user_id) FROM delivery d
                   WHERE d.outage_message_id = $1 AND d.status = 'failed' AND d.error_code IS NOT DISTINCT FROM g.code
                   ORDER BY d.id LIMIT 10) AS addresses
       FROM (SELECT error_code AS code, count(*)::int AS count FROM delivery
              WHERE outage_message_id = $1 AND status = 'failed' GROUP BY error_code) g`,
    [outageMessageId],
  );
  return groupByReason(rows);
}

/** Failed deliveries counted per error code, as reasons: several codes can share one. Largest first. */
export function groupByReason(rows: { code: number | null; count: number; addresses?: (string | null)[] }[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const row of rows) {
    const reason = failureReason(row.code);
    const group = groups.get(reason.label) ?? { ...reason, count: 0, addresses: [] };
    group.count += row.count;
    group.addresses = [...group.addresses, ...(row.addresses ?? []).filter((a): a is string => a !== null)].slice(0, 10);
    groups.set(reason.label, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** The condition on delivery d (with $2 the passing codes, $3 whether null passes) a retry re-queues. */
export const PASSING_FAILURE = `d.status = 'failed' AND (d.error_code = ANY($2) OR ($3 AND d.error_code IS NULL))`;

/** The parameters $2 and $3 of PASSING_FAILURE. */
export function passingParameters(): [number[], boolean] {
  return [PASSING_CODES.filter((c): c is number => c !== null), PASSING_CODES.includes(null)];
}

/** Failed deliveries a retry would re-queue: a cause that can pass, and still subscribed (R3, R11). */
export async function retryableFailures(db: DataSource | EntityManager, outageMessageId: string): Promise<number> {
  const rows: { n: number }[] = await db.query(
    `SELECT count(*)::int AS n FROM delivery d JOIN subscriber s ON s.id = d.subscriber_id AND ${REACHABLE}
      WHERE d.outage_message_id = $1 AND ${PASSING_FAILURE}`,
    [outageMessageId, ...passingParameters()],
  );
  return rows[0].n;
}
