/**
 * The customer registry (R1): imported from the CRM as CSV and looked up by number or name.
 * An import is all or nothing: one bad row and nothing of the file is written.
 */
import { parse } from 'csv-parse/sync';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { PROVINCES } from '../../lib/provinces';
import { Customer } from '../../entities';
import { ValidationError } from '../../http/errors';
import { distance } from '../../lib/text';

const list = (v: string) =>
  v
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const rowSchema = z.object({
  customer_number: z.string().trim().min(1, 'customer_number is empty').max(32, 'customer_number is longer than 32 characters'),
  name: z.string().trim().min(1, 'name is empty').max(200, 'name is longer than 200 characters'),
  email_domains: z
    .string()
    .default('')
    .transform((v) => list(v).map((d) => d.toLowerCase()))
    .refine((ds) => ds.every((d) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)), 'email_domains must be domain names separated by ;'),
  regions: z
    .string()
    .default('')
    .transform((v) => list(v).map((r) => r.toUpperCase()))
    .refine((rs) => rs.every((r) => (PROVINCES as readonly string[]).includes(r)), `regions must be province codes (${PROVINCES.join(' ')}) separated by ;`),
});

export type CustomerRow = z.infer<typeof rowSchema>;

/** Parses and validates the whole file; throws a ValidationError naming every bad line. */
export function parseCustomersCsv(text: string): CustomerRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, bom: true, trim: true });
  } catch (error) {
    throw new ValidationError(`the CSV file cannot be read: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const rows: CustomerRow[] = [];
  records.forEach((record, index) => {
    const line = index + 2; // line 1 is the header
    const result = rowSchema.safeParse(record);
    if (!result.success) {
      problems.push(`line ${line}: ${result.error.issues.map((i) => (i.code === 'invalid_type' ? `${i.path.join('.')} is missing` : i.message)).join('; ')}`);
      return;
    }
    const earlier = seen.get(result.data.customer_number);
    if (earlier) problems.push(`line ${line}: customer_number ${result.data.customer_number} also on line ${earlier}`);
    seen.set(result.data.customer_number, line);
    rows.push(result.data);
  });
  if (records.length === 0) problems.push('the file has no customer rows (expected a header customer_number,name,email_domains,regions and at least one row)');
  if (problems.length > 0) throw new ValidationError(`the CSV file has ${problems.length} bad row(s); nothing was imported`, 'Het CSV-bestand bevat fouten.', problems);
  return rows;
}

/** Upserts every row in one transaction. Returns how many were new and how many updated. */
export async function importCustomers(dataSource: DataSource, text: string): Promise<{ created: number; updated: number }> {
  const rows = parseCustomersCsv(text);
  return dataSource.transaction(async (manager) => {
    const result: { inserted: boolean }[] = await manager.query(
      `INSERT INTO customer (customer_number, name, email_domains, regions)
       SELECT r.customer_number, r.name, r.email_domains::text[], r.regions::text[]
         FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::text[]) AS r(customer_number, name, email_domains, regions)
       ON CONFLICT (customer_number) DO UPDATE
          SET name = EXCLUDED.name, email_domains = EXCLUDED.email_domains, regions = EXCLUDED.regions, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [rows.map((r) => r.customer_number), rows.map((r) => r.name), rows.map((r) => `{${r.email_domains.join(',')}}`), rows.map((r) => `{${r.regions.join(',')}}`)],
    );
    const created = result.filter((r) => r.inserted).length;
    return { created, updated: result.length - created };
  });
}

/** A customer by exact number or exact (case-insensitive) name. */
export async function findCustomer(manager: EntityManager, numberOrName: string): Promise<Customer | null> {
  const needle = numberOrName.trim();
  return manager
    .getRepository(Customer)
    .createQueryBuilder('c')
    .where('c.customer_number = :needle OR lower(c.name) = lower(:needle)', { needle })
    .getOne();
}

/** Up to three registry names that look like what was typed (for "did you mean"). */
export async function suggestCustomers(manager: EntityManager, typed: string): Promise<{ name: string; customerNumber: string }[]> {
  const customers = await manager.getRepository(Customer).find({ select: { name: true, customerNumber: true } });
  const needle = typed.trim().toLowerCase();
  return customers
    .map((c) => ({ name: c.name, customerNumber: c.customerNumber, score: Math.min(distance(needle, c.name.toLowerCase()), c.name.toLowerCase().includes(needle) && needle.length >= 3 ? 1 : Infinity) }))
    .filter((c) => c.score <= Math.max(2, Math.floor(needle.length / 3)))
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map(({ name, customerNumber }) => ({ name, customerNumber }));
}
