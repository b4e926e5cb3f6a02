/**
 * PostgreSQL for tests: each test file makes its own database on the server that
 * scripts/with-services.sh starts (MLLOOP_TEST_PG_URL), so files running in parallel never see
 * each other's runs. Without the variable the tests fail — they never skip.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export function pgTestUrl(): string {
  const url = process.env["MLLOOP_TEST_PG_URL"];
  if (url === undefined || url === "") {
    throw new Error(
      "MLLOOP_TEST_PG_URL is not set: run PostgreSQL tests through scripts/with-services.sh " +
        "(npm test does; or: bash scripts/with-services.sh npx vitest run test/track/postgres-store.test.ts)",
    );
  }
  return url;
}

/** The URL of `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates a fresh database named `<prefix>_<random>`; `drop` removes it (closing stray sessions). */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = pgTestUrl();
  const name = `${prefix}_${randomBytes(5).toString("hex")}`.toLowerCase();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
