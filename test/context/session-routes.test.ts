import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handleError, handleNotFound } from "../../routes/errors.js";
import { sessionRoutes } from "../../routes/sessions.js";
import { resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { assistant, redisStorage, system, turn, user, type SharedStorage } from "./support.js";

/** The sessions routes behind a stand-in for the auth middleware: the tenant comes from a test header. */
function appFor(store: ContextStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", async (c, next) => {
    c.set("tenant", { id: c.req.header("x-test-tenant") ?? "acme" });
    c.set("log", pino({ level: "silent" }));
    await next();
  });
  app.route("/", sessionRoutes({ store, storage: "sanitized" }));
  return app;
}

describe("GET and DELETE /v1/sessions/{id}", () => {
  let storage: SharedStorage;
  let store: ContextStore;
  let app: Hono<AppEnv>;

  beforeAll(async () => {
    storage = redisStorage(inject("redisUrl"), "test:session-routes:");
    store = await storage.replica();
    app = appFor(store);
    await store.save(
      { tenantId: "acme", sessionId: "chat-1" },
      {
        instructions: [turn(system("be brief"))],
        turns: [turn(user("hi"), { at: 1_700_000_000_000, route: "local", model: "stories", intent: "chitchat" }), turn(assistant("hello"), { at: 1_700_000_001_000 })],
        state: { vault: { "<PERSON_1>": "Ada" } },
      },
    );
  });
  afterAll(() => storage.close());

  it("returns the caller's history with per-turn metadata, and never the state blob", async () => {
    const res = await app.request("/v1/sessions/chat-1");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      id: "chat-1",
      object: "session",
      messages: [
        { role: "system", content: "be brief", metadata: { created_at: 1_700_000_000 } },
        { role: "user", content: "hi", metadata: { created_at: 1_700_000_000, route: "local", model: "stories", intent: "chitchat" } },
        { role: "assistant", content: "hello", metadata: { created_at: 1_700_000_001 } },
      ],
    });
    expect(JSON.stringify(body)).not.toContain("Ada");
  });

  it("answers 404 for another tenant's session, as if it did not exist", async () => {
    const res = await app.request("/v1/sessions/chat-1", { headers: { "x-test-tenant": "intruder" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: "not_found_error", code: "session_not_found", param: "id" } });
    const del = await app.request("/v1/sessions/chat-1", { method: "DELETE", headers: { "x-test-tenant": "intruder" } });
    expect(del.status).toBe(404);
    expect((await app.request("/v1/sessions/chat-1")).status).toBe(200);
  });

  it("rejects a malformed id with an OpenAI-style 400", async () => {
    const res = await app.request(`/v1/sessions/${"x".repeat(129)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining("Invalid session id"), type: "invalid_request_error", code: "invalid_session_id", param: "id" },
    });
    expect((await app.request("/v1/sessions/-bad", { method: "DELETE" })).status).toBe(400);
  });

  it("erases a session; afterwards it is gone and a second DELETE answers 404", async () => {
    await store.save({ tenantId: "acme", sessionId: "forget-me" }, { turns: [turn(user("my secret"))] });
    const res = await app.request("/v1/sessions/forget-me", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "forget-me", object: "session.deleted", deleted: true });
    expect((await app.request("/v1/sessions/forget-me")).status).toBe(404);
    expect((await app.request("/v1/sessions/forget-me", { method: "DELETE" })).status).toBe(404);
  });

  it("answers 503 instead of an empty history when the store is unavailable", async () => {
    const config = resolveContextConfig({ REDIS_URL: "redis://127.0.0.1:1", SWITCHYARD_CONTEXT_TIMEOUT_MS: "50" });
    const down = createContextStoreFromConfig(config, pino({ level: "silent" }));
    try {
      const unavailableApp = appFor(down);
      for (const method of ["GET", "DELETE"]) {
        const res = await unavailableApp.request("/v1/sessions/chat-1", { method });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: "context_unavailable" } });
      }
    } finally {
      await down.close();
    }
  });
});
