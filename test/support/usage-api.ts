/**
 * Reading a test gateway's usage as a tenant does: the recorder writes in the background, so each
 * read waits (up to 5 s) until the expected number of requests is recorded, then returns what it has.
 */
import { parse } from "csv-parse/sync";
import { expect } from "vitest";
import type { UsageSummary } from "../../src/usage/query.js";

const WAIT_MS = 5000;

/** `SWITCHYARD_API_KEYS` for tenants named by the keys of `keys`: `tenant=key,…`. */
export function apiKeysEnv(keys: Readonly<Record<string, string>>): string {
  return Object.entries(keys)
    .map(([tenant, key]) => `${tenant}=${key}`)
    .join(",");
}

/** The tenant's `/v1/usage` totals once `requests` requests are recorded. */
export async function usageTotals(gatewayUrl: string, key: string, requests: number): Promise<UsageSummary> {
  return waitFor(async () => {
    const res = await fetch(`${gatewayUrl}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { totals: UsageSummary }).totals;
  }, (totals) => totals.requests >= requests);
}

/**
 * The tenant's usage records (`/v1/usage/export`, one object per CSV row) once `count` are recorded
 * (`count` of those `where` picks, when given).
 */
export async function usageRecords(
  gatewayUrl: string,
  key: string,
  count: number,
  where: (row: Record<string, string>) => boolean = () => true,
): Promise<Array<Record<string, string>>> {
  return waitFor(async () => {
    const res = await fetch(`${gatewayUrl}/v1/usage/export`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
  }, (rows) => rows.filter(where).length >= count);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
