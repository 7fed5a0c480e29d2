/**
 * Query parameters of `/v1/usage` and `/v1/usage/export` that are repeated or unknown. A repeated
 * one (`tenant=a&tenant=b`) was silently read as its first value, so an admin asking for two tenants
 * got one tenant's numbers (and a CSV named for neither); an unknown one was a 400 whose `param` was
 * null instead of naming it.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { keyDigest, parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";

const ADMIN_KEY = "admin-key-0123456789abcdef";
const ACME_KEY = "sk-acme-123456";

const app = new Hono<AppEnv>();
app.onError(handleError);
app.route("/", usageRoutes({ store: new MemoryUsageStore(), auth: { keys: parseApiKeys(`acme=${ACME_KEY}`), adminKeyDigest: keyDigest(ADMIN_KEY) } }));

async function get(path: string, key = ADMIN_KEY) {
  const response = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json().catch(() => null)) as { error?: { type: string; code: string; param: string | null; message: string } } | null };
}

describe("usage query parameters", () => {
  it("given more than once are a 400 naming the parameter, not silently the first value", async () => {
    for (const path of ["/v1/usage", "/v1/usage/export"]) {
      for (const [query, param] of [
        ["tenant=acme&tenant=globex", "tenant"],
        ["from=2025-06-01&from=2025-06-02&to=2025-06-03", "from"],
        ["group_by=model&group_by=route", "group_by"],
      ] as const) {
        if (path.endsWith("export") && param === "group_by") continue;
        const r = await get(`${path}?${query}`);
        expect(r.status, `${path}?${query}`).toBe(400);
        expect(r.body?.error, `${path}?${query}`).toMatchObject({ type: "invalid_request_error", param });
        expect(r.body?.error?.message).toContain(param);
      }
    }
    // A tenant key repeating its own tenant is refused the same way, before anything is read.
    expect((await get("/v1/usage?tenant=acme&tenant=acme", ACME_KEY)).status).toBe(400);
  });

  it("that are unknown are a 400 whose param names them", async () => {
    for (const path of ["/v1/usage?granularty=day", "/v1/usage/export?group_by=model"]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body?.error?.param, path).toBe(path.includes("granularty") ? "granularty" : "group_by");
    }
  });

  // `__proto__` given once was the one unknown parameter answered 200: copied onto a plain object it
  // set the prototype instead of a key, so the strict schema never saw it.
  it("named __proto__ are a 400 like any other unknown one", async () => {
    for (const path of ["/v1/usage?__proto__=x", "/v1/usage/export?__proto__=x"]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body?.error?.param, path).toBe("__proto__");
    }
  });

  it("given once still answer", async () => {
    expect((await get("/v1/usage?tenant=acme&group_by=model&from=2025-06-01&to=2025-06-02")).status).toBe(200);
    expect((await get("/v1/usage/export?tenant=acme&from=2025-06-01&to=2025-06-02")).status).toBe(200);
    expect((await get("/v1/usage", ACME_KEY)).status).toBe(200);
  });
});

// No tenant id holds a control character (they would forge log lines), so such a `tenant` could only
// answer zeros, as if that tenant had spent nothing.
describe("a tenant parameter that is no tenant id", () => {
  it("is a 400 naming it, on the report and the export", async () => {
    for (const path of ["/v1/usage?tenant=%00", "/v1/usage/export?tenant=acme%0A", `/v1/usage?tenant=${"t".repeat(257)}`]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body?.error, path).toMatchObject({ type: "invalid_request_error", param: "tenant" });
    }
  });
});
