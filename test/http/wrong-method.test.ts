/**
 * A request with the wrong method on a path the gateway serves (`GET /v1/chat/completions`, a
 * client's mistake or a probe) is a 405 naming the methods it takes, in OpenAI's error shape, as
 * OpenAI's API answers it: not a 404 "Unknown path" that sends the client looking for a typo.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const KEY = "sk-client-0123456789";
const ADMIN_KEY = "admin-key-0123456789";
const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_API_KEYS: `acme=${KEY}`, SWITCHYARD_ADMIN_KEY: ADMIN_KEY } } });

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

async function send(method: string, path: string, key = KEY) {
  const response = await fetch(`${cloud.gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(method === "GET" || method === "HEAD" ? {} : { body: "{}" }),
  });
  const text = await response.text();
  return { status: response.status, allow: response.headers.get("allow"), text, json: () => JSON.parse(text) as ErrorBody };
}

const methods = (allow: string | null) => (allow ?? "").split(",").map((m) => m.trim()).sort();

describe("a known path with the wrong method", () => {
  it("is a 405 in OpenAI's error shape naming the method the path takes", async () => {
    const r = await send("GET", "/v1/chat/completions");
    expect(r.status).toBe(405);
    expect(r.allow).toBe("POST");
    expect(r.json()).toEqual({
      error: { message: expect.stringContaining("GET /v1/chat/completions"), type: "invalid_request_error", code: "method_not_allowed", param: null },
    });
  });

  it("lists every method of a path with several, HEAD with GET", async () => {
    expect(methods((await send("PUT", "/v1/sessions/chat-1")).allow)).toEqual(["DELETE", "GET", "HEAD"]);
    const models = await send("DELETE", "/v1/models/gpt-4o");
    expect(models.status).toBe(405);
    expect(methods(models.allow)).toEqual(["GET", "HEAD"]);
  });

  it("is a 405 outside /v1 too, once the admin key is accepted", async () => {
    const r = await send("GET", "/admin/policies/reload", ADMIN_KEY);
    expect(r.status).toBe(405);
    expect(r.allow).toBe("POST");
    // The admin key is still checked first: a 405 tells nobody without it which admin paths exist.
    expect((await send("GET", "/admin/policies/reload", "not-the-admin-key")).status).toBe(401);
  });

  it("answers HEAD on a POST-only path with a 405 and no body", async () => {
    const r = await send("HEAD", "/v1/chat/completions");
    expect(r.status).toBe(405);
    expect(r.allow).toBe("POST");
    expect(r.text).toBe("");
  });
});

describe("paths that are not served", () => {
  it("stay a 404 unknown_url for any method", async () => {
    for (const method of ["GET", "POST"]) {
      const r = await send(method, "/v1/embeddings");
      expect(r.status, method).toBe(404);
      expect(r.allow).toBeNull();
      expect(r.json().error).toMatchObject({ type: "not_found_error", code: "unknown_url" });
    }
  });

  it("stay a 404 when a route of the same method finds nothing there", async () => {
    const r = await send("GET", "/dashboard/assets/missing.js");
    expect(r.status).toBe(404);
    expect(r.json().error.code).toBe("unknown_url");
  });
});

describe("a long path", () => {
  // Node takes URLs up to its 16 KB header limit; an error quoting one whole is a page of the
  // client's own bytes back (and a log line of them), where a hundred characters identify it.
  const longSegment = "x".repeat(8_000);

  it("is quoted cut in a 404", async () => {
    const r = await send("GET", `/v1/${longSegment}`);
    expect(r.status).toBe(404);
    const { message } = r.json().error;
    expect(message).toContain("GET /v1/xxxx");
    expect(message).toContain("…");
    expect(message.length).toBeLessThan(300);
  });

  it("is quoted cut in a 405", async () => {
    const r = await send("PUT", `/v1/sessions/${longSegment}`);
    expect(r.status).toBe(405);
    const { message } = r.json().error;
    expect(message).toContain("PUT /v1/sessions/xxxx");
    expect(message.length).toBeLessThan(300);
  });
});
