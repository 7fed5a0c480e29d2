import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { GatewayError, overloaded, unavailable } from "../../src/errors.js";
import { decide, type RouteDecision } from "../../src/policy/decide.js";
import {
  FALLBACK_HEADER,
  failureKindOf,
  fallbackHeaderValue,
  nextTarget,
  readFallbackHeader,
  type Failure,
  type FailureKind,
} from "../../src/policy/fallback.js";
import { catalog, compile, features } from "./support.js";

const cat = catalog();

function decision(then: string, patch = {}, extra = ""): RouteDecision {
  const d = decide(features(patch), compile(`version: 1\n${extra}\nrules: []\ndefault: ${then}\n`));
  if (d.kind !== "route") throw new Error("expected a route");
  return d;
}

/** Walks the whole chain: what the executor would try, in order, if every attempt failed with `kind`. */
function walk(d: RouteDecision, kind: FailureKind | ((model: string) => FailureKind)): string[] {
  const failures: Failure[] = [];
  let current = d.model;
  for (;;) {
    failures.push({ model: current, kind: typeof kind === "function" ? kind(current) : kind });
    const step = nextTarget(d, failures, cat);
    if (!step) return failures.map((f) => f.model);
    current = step.model;
  }
}

describe("nextTarget", () => {
  // Chain: gpt-4o → gpt-4o-mini (same provider) → claude → local-slm; last resorts: none beyond the chain.
  const cloudFirst = decision("{ route: gpt-4o, fallbacks: [gpt-4o-mini, claude, local] }");

  it.each([
    ["rate_limited (429): the next in the chain, same provider included", "rate_limited", ["gpt-4o", "gpt-4o-mini", "claude", "local-slm"]],
    ["server_error (5xx): the next in the chain, same provider included", "server_error", ["gpt-4o", "gpt-4o-mini", "claude", "local-slm"]],
    ["timeout: skips the rest of the timed-out provider", "timeout", ["gpt-4o", "claude", "local-slm"]],
    ["connection_refused: skips the rest of the unreachable provider", "connection_refused", ["gpt-4o", "claude", "local-slm"]],
    ["unavailable: skips the rest of the provider", "unavailable", ["gpt-4o", "claude", "local-slm"]],
  ] as const)("%s", (_label, kind, path) => {
    expect(walk(cloudFirst, kind)).toEqual(path);
  });

  it("local overload → the next target, skipping other models of the overloaded runtime", () => {
    const d = decision("{ route: local, fallbacks: [pool-8k, gpt-4o-mini] }");
    expect(nextTarget(d, [{ model: "local-slm", kind: "local_overload" }], cat)).toEqual({ model: "pool-8k", route: "local", via: "chain" });
  });

  it("local overload → cloud when the chain has no cloud: the policy's last resort", () => {
    const d = decision("{ route: local }");
    expect(d.degrade).toEqual({ cloud: "gpt-4o-mini" });
    expect(nextTarget(d, [{ model: "local-slm", kind: "local_overload" }], cat)).toEqual({ model: "gpt-4o-mini", route: "cloud", via: "degrade" });
  });

  it("local overload → nothing when cloud is not allowed (keep_local, degrade: false, or degrade.local_overload: none)", () => {
    expect(nextTarget(decision("{ route: local, pii: keep_local }"), [{ model: "local-slm", kind: "local_overload" }], cat)).toBeUndefined();
    expect(nextTarget(decision("{ route: local, degrade: false }"), [{ model: "local-slm", kind: "local_overload" }], cat)).toBeUndefined();
    const none = decision("{ route: local }", {}, "degrade: { local_overload: none }");
    expect(nextTarget(none, [{ model: "local-slm", kind: "local_overload" }], cat)).toBeUndefined();
  });

  it("cloud down → local: the chain's local target, else the last resort", () => {
    const d = decision("{ route: gpt-4o, fallbacks: [gpt-4o-mini] }");
    expect(d.degrade).toEqual({ local: "local-slm" });
    expect(walk(d, "connection_refused")).toEqual(["gpt-4o", "local-slm"]);
    expect(walk(d, "server_error")).toEqual(["gpt-4o", "gpt-4o-mini", "local-slm"]);
    const step = nextTarget(d, [{ model: "gpt-4o", kind: "server_error" }, { model: "gpt-4o-mini", kind: "timeout" }], cat);
    expect(step).toEqual({ model: "local-slm", route: "local", via: "degrade" });
  });

  it("cloud down → nothing when no last resort can serve the request or the policy says no", () => {
    // The request needs tools: the local last resort cannot serve it, the cloud one (same provider) only after a 5xx.
    const tools = decision("{ route: gpt-4o }", { hasTools: true });
    expect(tools.degrade).toEqual({ cloud: "gpt-4o-mini" });
    expect(nextTarget(tools, [{ model: "gpt-4o", kind: "connection_refused" }], cat)).toBeUndefined();
    expect(nextTarget(tools, [{ model: "gpt-4o", kind: "server_error" }], cat)).toEqual({ model: "gpt-4o-mini", route: "cloud", via: "degrade" });
    expect(nextTarget(decision("{ route: gpt-4o }", {}, "degrade: { cloud_failure: none, local_overload: none }"), [{ model: "gpt-4o", kind: "server_error" }], cat)).toBeUndefined();
  });

  it("after the other side's last resort, the same side's: cloud_failure: none alone still lets a failing cloud target try defaults.cloud", () => {
    const cloudOff = decision("{ route: gpt-4o }", {}, "degrade: { cloud_failure: none, local_overload: cloud }");
    expect(walk(cloudOff, "server_error")).toEqual(["gpt-4o", "gpt-4o-mini"]);
    const localOff = decision("{ route: pool-8k }", {}, "degrade: { cloud_failure: local, local_overload: none }");
    expect(walk(localOff, "local_overload")).toEqual(["pool-8k", "local-slm"]);
  });

  it("with no failure yet, the first target is the decision's model", () => {
    expect(nextTarget(cloudFirst, [], cat)).toEqual({ model: "gpt-4o", route: "cloud", via: "chain" });
  });

  it("remembers every provider that was down, not only the last one", () => {
    const d = decision("{ route: gpt-4o, fallbacks: [claude, gpt-4o-mini, local] }");
    expect(walk(d, "timeout")).toEqual(["gpt-4o", "claude", "local-slm"]);
  });

  it("never offers a target twice", () => {
    const d = decision("{ route: gpt-4o, fallbacks: [local] }");
    // gpt-4o and local-slm failed; gpt-4o-mini (the cloud last resort) is on gpt-4o's provider, which refused.
    expect(nextTarget(d, [{ model: "gpt-4o", kind: "connection_refused" }, { model: "local-slm", kind: "local_overload" }], cat)).toBeUndefined();
    // With a 5xx (the provider itself may be fine) it is still worth a try, once.
    const failures: Failure[] = [{ model: "gpt-4o", kind: "server_error" }, { model: "local-slm", kind: "local_overload" }];
    expect(nextTarget(d, failures, cat)).toEqual({ model: "gpt-4o-mini", route: "cloud", via: "degrade" });
    expect(nextTarget(d, [...failures, { model: "gpt-4o-mini", kind: "server_error" }], cat)).toBeUndefined();
  });

  it("mixed failures along the chain: overload then upstream 5xx then refused", () => {
    const d = decision("{ route: local, fallbacks: [gpt-4o, claude] }");
    const kinds: Record<string, FailureKind> = { "local-slm": "local_overload", "gpt-4o": "server_error", claude: "connection_refused" };
    expect(walk(d, (model) => kinds[model] ?? "server_error")).toEqual(["local-slm", "gpt-4o", "claude", "gpt-4o-mini"]);
  });
});

describe("failureKindOf", () => {
  it.each([
    ["local queue full", overloaded("full", 1), "local_overload"],
    ["upstream 429", new GatewayError("x", { status: 429, type: "rate_limit_error", code: "upstream_rate_limited" }), "rate_limited"],
    ["upstream timeout", new GatewayError("x", { status: 504, type: "timeout_error", code: "upstream_timeout" }), "timeout"],
    ["connection refused", new GatewayError("x", { status: 502, type: "upstream_error", code: "upstream_unreachable" }), "connection_refused"],
    ["upstream 5xx", new GatewayError("x", { status: 502, type: "upstream_error", code: "upstream_error" }), "server_error"],
    ["local model loading", unavailable("loading", "model_loading"), "unavailable"],
    ["missing provider key", unavailable("no key", "provider_not_configured"), "unavailable"],
    ["a bad request", new GatewayError("x", { status: 400, type: "invalid_request_error", code: "invalid_value" }), undefined],
    ["the client went away", new GatewayError("x", { status: 499, type: "invalid_request_error", code: "client_closed_request" }), undefined],
    ["a stray exception", new Error("boom"), "server_error"],
  ] as const)("%s → %s", (_label, error, kind) => {
    expect(failureKindOf(error)).toBe(kind);
  });
});

describe("x-switchyard-fallback", () => {
  it("formats <from>→<to> and longer paths, and reads them back", () => {
    const value = fallbackHeaderValue(["local-slm", "gpt-4o-mini"]);
    expect(Buffer.from(value, "latin1").toString("utf8")).toBe("local-slm→gpt-4o-mini");
    expect(readFallbackHeader(value)).toEqual(["local-slm", "gpt-4o-mini"]);
    expect(readFallbackHeader(fallbackHeaderValue(["a", "b", "c"]))).toEqual(["a", "b", "c"]);
    expect(readFallbackHeader("local-slm→gpt-4o-mini")).toEqual(["local-slm", "gpt-4o-mini"]);
  });

  it("has an ASCII form that survives every write path", () => {
    expect(fallbackHeaderValue(["local-slm", "gpt-4o-mini"], { ascii: true })).toBe("local-slm->gpt-4o-mini");
    expect(readFallbackHeader("x-->y->z")).toEqual(["x-", "y", "z"]);
  });

  // Node sends the header bytes as given only when the first body write is bytes. With a string body, or
  // a stream (node-server calls flushHeaders first), it re-encodes the header block as UTF-8: the arrow
  // arrives double-encoded. The path still reads back; the ASCII form arrives exactly.
  it.each([
    ["bytes", false, "local-slm→gpt-4o-mini"],
    ["stream", false, Buffer.from(Buffer.from("local-slm→gpt-4o-mini", "utf8").toString("latin1"), "utf8").toString("utf8")],
    ["string", false, Buffer.from(Buffer.from("local-slm→gpt-4o-mini", "utf8").toString("latin1"), "utf8").toString("utf8")],
    ["stream", true, "local-slm->gpt-4o-mini"],
    ["string", true, "local-slm->gpt-4o-mini"],
  ] as const)("crosses a real HTTP response (%s body, ascii: %s)", async (kind, ascii, wire) => {
    const app = new Hono();
    const header = { [FALLBACK_HEADER]: fallbackHeaderValue(["local-slm", "gpt-4o-mini"], { ascii }) };
    app.get("/", () => {
      const bytes = new TextEncoder().encode('{"ok":true}');
      const body =
        kind === "bytes"
          ? bytes
          : kind === "string"
            ? '{"ok":true}'
            : new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(bytes);
                controller.close();
              },
            });
      return new Response(body, { headers: { ...header, "content-type": "application/json" } });
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const raw = await new Promise<Buffer>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/" }, (res) => {
          const headerIndex = res.rawHeaders.findIndex((h) => h.toLowerCase() === FALLBACK_HEADER);
          res.resume();
          resolve(Buffer.from(res.rawHeaders[headerIndex + 1] ?? "", "latin1"));
        });
        req.on("error", reject);
        req.end();
      });
      expect(raw.toString("utf8")).toBe(wire);
      const viaFetch = await fetch(`http://127.0.0.1:${port}/`);
      expect(readFallbackHeader(viaFetch.headers.get(FALLBACK_HEADER) ?? "")).toEqual(["local-slm", "gpt-4o-mini"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
