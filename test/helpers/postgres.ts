/**
 * Real PostgreSQL for tests: the server at DATABASE_URL when set, else one embedded server for
 * the whole run. Each test file gets its own database, cloned from a migrated template, so it
 * starts from a clean schema without paying for migrations again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres';

let server: RunningPostgres | undefined;
let serverUrl: string | undefined;
let tempDir: string | undefined;
let template: string | undefined;
const created: string[] = [];

/** Called once by the root hook. */
export async function startTestPostgres(): Promise<void> {
  const external = process.env.DATABASE_URL;
  if (external) {
    serverUrl = external;
    return;
  }
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-test-'));
  server = await startEmbeddedPostgres({ dataDir: tempDir });
  serverUrl = server.url;
}

export async function stopTestPostgres(): Promise<void> {
  if (serverUrl) {
    const client = await adminClient();
    try {
      for (const name of [...created, ...(template ? [template] : [])]) {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  }
  await server?.stop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}

/** URL of the test server itself (for tests that create or break databases on purpose). */
export function testServerUrl(): string {
  if (!serverUrl) throw new Error('test PostgreSQL is not started (root hook missing?)');
  return serverUrl;
}

export function urlForDatabase(name: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminClient(): Promise<Client> {
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  return client;
}

/** A new, empty database (no schema); dropped at the end of the run. */
export async function emptyDatabase(): Promise<string> {
  const name = `sm_test_${randomBytes(5).toString('hex')}`;
  const client = await adminClient();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  created.push(name);
  return urlForDatabase(name);
}

/** A new database with the full schema migrated, cloned from a template built once per run. */
export async function freshDatabase(): Promise<string> {
  if (!template) {
    const url = await emptyDatabase();
    const dataSource = await createDataSource({ url, poolSize: 2 }).initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    template = created.pop();
  }
  const name = `sm_test_${randomBytes(5).toString('hex')}`;
  const client = await adminClient();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await client.end();
  }
  created.push(name);
  return urlForDatabase(name);
}

/** An initialised DataSource on a fresh, migrated database. */
export async function freshDataSource(): Promise<DataSource> {
  return createDataSource({ url: await freshDatabase(), poolSize: 10 }).initialize();
}
