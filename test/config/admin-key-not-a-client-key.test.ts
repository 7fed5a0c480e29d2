/**
 * SWITCHYARD_ADMIN_KEY set to the same value as one of SWITCHYARD_API_KEYS started the gateway, and
 * the usage API checks the admin key first: that tenant's client key then read every tenant's usage
 * (`/v1/usage`, the CSV export) and could reload policies, with nothing saying so. Start-up refuses it.
 */
import { describe, expect, it } from "vitest";
import { envProblems } from "./env-problems.js";

const ADMIN = "adm-0123456789abcdef";

const problems = envProblems;

describe("the admin key", () => {
  it("may not also be a client's API key", () => {
    const found = problems({ SWITCHYARD_ADMIN_KEY: ADMIN, SWITCHYARD_API_KEYS: `acme=sk-acme-12345678,ops=${ADMIN}` });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^SWITCHYARD_ADMIN_KEY: .*SWITCHYARD_API_KEYS/);
    // The message names neither key: it goes to logs.
    expect(found[0]).not.toContain(ADMIN);
  });

  it("is refused as a bare client key too", () => {
    expect(problems({ SWITCHYARD_ADMIN_KEY: ADMIN, SWITCHYARD_API_KEYS: ADMIN })).toHaveLength(1);
  });

  it("is accepted beside client keys of its own", () => {
    expect(problems({ SWITCHYARD_ADMIN_KEY: ADMIN, SWITCHYARD_API_KEYS: "acme=sk-acme-12345678" })).toEqual([]);
    expect(problems({ SWITCHYARD_ADMIN_KEY: ADMIN })).toEqual([]);
  });
});
