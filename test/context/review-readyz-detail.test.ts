/**
 * `GET /readyz` is unauthenticated: the context store's status detail must not carry Redis's error
 * text (host, port, TLS names). The real error goes to the log, once per transition.
 */
import { describe, expect, it } from "vitest";
import { resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import { freePort } from "../support/redis-server.js";
import { capturedLog, sleep } from "./support.js";

describe("review: context store status detail", () => {
  it("says connecting, then unreachable, never the error text; the log has the real error once", async () => {
    const port = await freePort();
    const captured = capturedLog();
    const store = createContextStoreFromConfig(
      resolveContextConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, SWITCHYARD_CONTEXT_TIMEOUT_MS: "200" }, { redis: { reconnect_max_delay_ms: 50 } }),
      captured.log,
    );
    try {
      expect(store.status()).toMatchObject({ state: "degraded", detail: "connecting" });
      expect(await store.ready(300)).toBe(false);
      await sleep(200);
      expect(store.status()).toMatchObject({ state: "degraded", detail: "unreachable" });
      expect(JSON.stringify(store.status())).not.toContain(String(port));
      const warnings = captured.lines().filter((l) => l.msg === "context store degraded: requests continue without stored context");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40 });
      expect(JSON.stringify(warnings[0])).toContain(String(port));
    } finally {
      await store.close();
    }
  });
});
