/**
 * Searches every text-like column of every table of the application's schema for a value
 * (a phone number, an address, a message text), for the privacy tests (R5, R11, R15). It also
 * says what it scanned, so a test can check the scan saw the tables it means before it
 * trusts an empty answer.
 */
import type { DataSource } from 'typeorm';

export interface ScanResult {
  /** "table.column" of every column scanned. */
  scanned: string[];
  /** "table.column" of every column with at least one row containing the value, sorted. */
  hits: string[];
}

/** Text, varchar, char, jsonb and array columns of the public schema, as "table.column". */
export async function textColumns(db: DataSource): Promise<string[]> {
  const columns: { table_name: string; column_name: string }[] = await db.query(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'ARRAY')
      ORDER BY c.table_name, c.column_name`,
  );
  return columns.map((c) => `${c.table_name}.${c.column_name}`);
}

export async function findEverywhere(db: DataSource, needle: string): Promise<ScanResult> {
  const scanned = await textColumns(db);
  const hits: string[] = [];
  for (const column of scanned) {
    const [table, name] = column.split('.');
    const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM "${table}" WHERE strpos("${name}"::text, $1) > 0`, [needle]);
    if (rows[0].n > 0) hits.push(column);
  }
  return { scanned, hits };
}
