import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { adminPolicyRoutes } from "../../routes/admin-policies.js";
import { handleError, handleNotFound } from "../../routes/errors.js";
import { routeDryRunRoutes } from "../../routes/route-dry-run.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { requestContext } from "../../src/http/middleware/request-id.js";
import { createExplain, type ExplainFn } from "../../src/policy/explain.js";
import { PolicyStore } from "../../src/policy/store.js";
import { compile, memoryLogger, policyDir } from "./support.js";

/** The gateway's shell: error handling, request context, a tenant. */
function shell(mount: (app: Hono<AppEnv>) => void): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", requestContext({ log: memoryLogger().log }));
  app.use("*", async (c, next) => {
    c.set("tenant", { id: c.req.header("x-test-tenant") ?? "acme" });
    await next();
  });
  mount(app);
  return app;
}

const ADMIN_KEY = "admin-key-0123456789abcdef";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("admin policy routes", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(options: { adminKey?: string | undefined } = { adminKey: ADMIN_KEY }) {
    const adminKey = options.adminKey;
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const store = await PolicyStore.open({ dir: dir.dir, log: memoryLogger().log });
    cleanup.push(() => store.close());
    const app = shell((a) => a.route("/", adminPolicyRoutes({ store, adminKey })));
    return { app, store, dir };
  }

  it.each([
    ["no Authorization header", {}, 401, "missing_admin_key"],
    ["a wrong key", bearer("admin-key-0123456789abcdeX"), 401, "invalid_admin_key"],
    ["a client API key shape", bearer("sk-something"), 401, "invalid_admin_key"],
    ["a non-bearer scheme", { authorization: `Basic ${ADMIN_KEY}` }, 401, "missing_admin_key"],
  ])("rejects %s with an OpenAI-style 401", async (_label, headers, status, code) => {
    const { app } = await setup();
    for (const [method, path] of [
      ["GET", "/admin/policies"],
      ["POST", "/admin/policies/reload"],
    ] as const) {
      const res = await app.request(path, { method, headers });
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code, type: "authentication_error" } });
    }
  });

  it("is off (403) without an admin key configured", async () => {
    const { app } = await setup({ adminKey: undefined });
    const res = await app.request("/admin/policies", { headers: bearer(ADMIN_KEY) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "admin_disabled", type: "permission_error" } });
  });

  it("GET shows the active version, files, counters and no error", async () => {
    const { app, store } = await setup();
    const res = await app.request("/admin/policies", { headers: bearer(ADMIN_KEY) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-policy")).toBe(store.version);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ version: store.version, reloads: 0, reloadFailures: 0, lastError: null, shadow: null, rules: 1 });
    expect(typeof body.loadedAt).toBe("string");
    expect((body.files as { path: string; sha256: string }[]).map((f) => f.path.split("/").pop())).toEqual(["intents.yaml", "models.yaml", "routing.yaml"]);
  });

  it("POST reload swaps in a valid change, and refuses a broken one with 422 and file:line:col", async () => {
    const { app, store, dir } = await setup();
    const before = store.version;
    let res = await app.request("/admin/policies/reload", { method: "POST", headers: bearer(ADMIN_KEY) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, changed: false, version: before });

    await dir.write("routing.yaml", "version: 1\ndefault: { route: cloud }\n");
    res = await app.request("/admin/policies/reload", { method: "POST", headers: bearer(ADMIN_KEY) });
    const changed = (await res.json()) as { version: string };
    expect(changed).toMatchObject({ ok: true, changed: true });
    expect(changed.version).not.toBe(before);
    expect(res.headers.get("x-switchyard-policy")).toBe(changed.version);

    await dir.write("routing.yaml", "version: 1\ndefault: { route: cloud, colour: red }\n");
    res = await app.request("/admin/policies/reload", { method: "POST", headers: bearer(ADMIN_KEY) });
    expect(res.status).toBe(422);
    const failed = (await res.json()) as { ok: boolean; version: string; error: { message: string; code: string; problems: unknown[] } };
    expect(failed).toMatchObject({ ok: false, version: changed.version, error: { code: "policy_invalid", type: "invalid_request_error" } });
    expect(failed.error.message).toMatch(/routing\.yaml:2:10: default: Unrecognized key: "colour"/);
    expect(failed.error.problems).toEqual([expect.objectContaining({ line: 2, col: 10, path: "default" })]);

    res = await app.request("/admin/policies", { headers: bearer(ADMIN_KEY) });
    expect(await res.json()).toMatchObject({ version: changed.version, reloadFailures: 1, lastError: { trigger: "admin" } });
  });

  it("POST reload refuses a routing.yaml too large or too deep to parse with 422, naming the file and the limit", async () => {
    const { app, store, dir } = await setup();
    const before = store.version;
    const reload = async () => {
      const res = await app.request("/admin/policies/reload", { method: "POST", headers: bearer(ADMIN_KEY) });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { ok: boolean; version: string; error: { message: string; type: string; code: string; param: null; problems: unknown[] } };
      expect(body).toMatchObject({ ok: false, version: before, error: { type: "invalid_request_error", code: "policy_invalid", param: null } });
      return body.error;
    };

    const large = `version: 1\ndefault: { route: cloud }\n${"#".repeat(300_000)}\n`;
    await dir.write("routing.yaml", large);
    let error = await reload();
    expect(error.message).toContain(`routing.yaml: file is ${Buffer.byteLength(large)} bytes; policy files may be at most 262144 bytes (256 KiB)`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 0, col: 0, path: "" })]);

    await dir.write("routing.yaml", `version: 1\ndefault: { route: cloud }\nrules: ${"[".repeat(100_000)}\n`);
    error = await reload();
    expect(error.message).toMatch(/routing\.yaml:3:71: mappings and lists nest more than 64 levels deep here/);
    expect(store.version).toBe(before);
  });
});

describe("POST /v1/route", () => {
  const policy = compile(`
version: 1
rules:
  - { name: secrets, when: { pii_found: [SECRET] }, then: { route: local, pii: keep_local } }
  - { name: blocked, when: { tenant: blocked }, then: { deny: { status: 451, code: legal_hold, message: "Not here." } } }
  - { name: tools, when: { tools: true }, then: { route: cloud, fallbacks: [gpt-4o], max_tokens: 300 } }
  - { name: team, when: { headers: { x-team: ml } }, then: { route: claude } }
default: { route: intent_default, fallbacks: [local, cloud] }
`);
  const calls: { body: unknown; tenant: string }[] = [];
  const fakeExplain: ExplainFn = async (body, ctx) => {
    calls.push({ body, tenant: ctx.tenant.id });
    return createExplain({
      policy: () => policy,
      classify: async (text) => (text.includes("code") ? { intent: "code", confidence: 0.97, unsure: false } : { intent: "greeting", confidence: 0.51, unsure: true }),
      scanPii: async (texts) => (texts.some((t) => t.includes("sk-")) ? { types: ["SECRET"], counts: { SECRET: 1 } } : { types: [] }),
    })(body, ctx);
  };
  const app = shell((a) => a.route("/", routeDryRunRoutes({ explain: fakeExplain })));
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request("/v1/route", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("answers the decision in the documented shape without calling a model", async () => {
    const res = await post({ model: "auto", messages: [{ role: "user", content: "write code for me" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-policy")).toBe("test");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["confidence", "fallbacks", "features", "intent", "model", "pii", "reasons", "route", "rule", "unsure"]);
    expect(body).toMatchObject({
      route: "cloud",
      model: "gpt-4o-mini",
      rule: "default",
      fallbacks: ["local-slm"],
      intent: "code",
      confidence: 0.97,
      unsure: false,
      reasons: ["secrets: no PII SECRET found", "blocked: tenant is not blocked", "tools: no tools", "team: header x-team is not ml"],
      pii: { types: [], action: "default" },
      features: { requestedModel: "auto", tenant: "acme", turns: 1, hasTools: false, responseFormat: "text", headers: {} },
    });
    expect(calls.at(-1)).toMatchObject({ tenant: "acme" });
  });

  it("passes headers the policy reads, and reports skips, caps and PII", async () => {
    const team = (await (await post({ model: "auto", messages: [{ role: "user", content: "hi" }] }, { "x-team": "ml" })).json()) as Record<string, unknown>;
    expect(team).toMatchObject({ rule: "team", model: "claude", features: { headers: { "x-team": "ml" } } });

    const tools = {
      model: "auto",
      messages: [{ role: "user", content: "hi" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
    };
    const withTools = (await (await post(tools)).json()) as { reasons: string[] };
    // No local last resort: the local model has no tools.
    expect(withTools).toMatchObject({ rule: "tools", model: "gpt-4o-mini", fallbacks: ["gpt-4o"] });
    expect(withTools.reasons).toContain("max_tokens capped at 300");

    const secret = (await (await post({ model: "auto", messages: [{ role: "user", content: "my key sk-abc, fix this code" }] })).json()) as { reasons: string[] };
    expect(secret).toMatchObject({ rule: "secrets", route: "local", model: "local-slm", fallbacks: [], pii: { types: ["SECRET"], counts: { SECRET: 1 }, action: "keep_local" } });
    expect(secret.reasons).toContain("pii action for this route: keep_local");

    const denied = (await (await post({ model: "auto", messages: [{ role: "user", content: "hi" }] }, { "x-test-tenant": "blocked" })).json()) as { reasons: string[] };
    expect(denied).toMatchObject({ route: "deny", model: null, rule: "blocked", fallbacks: [], pii: { action: null } });
    expect(denied.reasons.at(-1)).toBe("denied with 451 legal_hold: Not here.");

    const images = {
      model: "auto",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
    };
    const withImages = (await (await post(images)).json()) as { reasons: string[] };
    expect(withImages).toMatchObject({ model: "gpt-4o-mini", unsure: true, features: { hasImages: true } });
    expect(withImages.reasons).toContain("skipped local-slm: no vision (images)");
  });

  it.each([
    ["an empty body", "", "invalid_json"],
    ["broken JSON", "{", "invalid_json"],
    ["an array", "[]", "invalid_json"],
    ["no messages", { model: "auto", messages: [] }, "invalid_value"],
    ["no model", { messages: [{ role: "user", content: "hi" }] }, "invalid_value"],
  ])("rejects %s with an OpenAI-style 400", async (_label, body, code) => {
    const before = calls.length;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", code } });
    expect(calls.length).toBe(before);
  });

  it("turns a failing explain into a 500 in OpenAI's shape", async () => {
    const broken = shell((a) => a.route("/", routeDryRunRoutes({ explain: async () => Promise.reject(new Error("classifier exploded")) })));
    const res = await broken.request("/v1/route", { method: "POST", body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { type: "server_error", code: "internal_error" } });
  });
});
