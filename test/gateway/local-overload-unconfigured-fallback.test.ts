/**
 * With the shipped routing policy (`degrade.local_overload: cloud`) and no cloud API key, an overloaded
 * local model answers as it does without a last resort: 503 `overloaded` with `Retry-After`. The cloud
 * last resort cannot be called, so it is not offered (the decision skips a provider without its key),
 * and its `provider_not_configured` never replaces the real failure.
 */
import { describe, expect, it } from "vitest";
import { chatAs, whileLocalBusy } from "../support/busy-local-slot.js";
import { fakeCloudGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { holder: "sk-overload-holder-0123456789", asker: "sk-overload-asker-0123456789" };

// One local slot and no queue: while it is busy, the local model refuses at once.
// The shipped routing.yaml; the cloud provider's key is not set.
const cloud = fakeCloudGateway({ models: { parallel: 1, queue: 0, maxRetries: 2 }, gateway: { env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS), FAKE_CLOUD_KEY: "" } } });

const chat = (key: string, body: Record<string, unknown>) => chatAs(cloud.gw.url, key, body);
const whileBusy = <T>(ask: () => Promise<T>) => whileLocalBusy(cloud.gw.url, KEYS.holder, ask);

describe("an overloaded local model whose cloud last resort is not configured", () => {
  it.each([
    ["a whole answer", false],
    ["a stream", true],
  ])("answers %s with 503 overloaded and Retry-After", async (_name, stream) => {
    const res = await whileBusy(() => chat(KEYS.asker, { stream }));
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: "overloaded_error", code: "overloaded" });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(cloud.fake.requests.filter((r) => r.path.startsWith("/v1/chat"))).toEqual([]);
  });

  it("records the local model's failure, with no fallback tried", async () => {
    const rows = await usageRecords(cloud.gw.url, KEYS.asker, 2);
    expect(rows.map((r) => ({ route: r.route, model: r.model, fallback: r.fallback, status: r.status, error: r.error }))).toEqual([
      { route: "local", model: "stories", fallback: "false", status: "503", error: "overloaded" },
      { route: "local", model: "stories", fallback: "false", status: "503", error: "overloaded" },
    ]);
  });
});
