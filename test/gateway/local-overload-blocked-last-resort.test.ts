/**
 * A client naming the local model, with a secret in its request, while the model's queue is full: the
 * shipped policy's last resort is the cloud (`degrade.local_overload: cloud`), where pii.yaml blocks
 * secrets. The client got 400 `pii_blocked` ("data the PII policy does not allow to be sent"), which
 * SDKs never retry, for a request the local model serves once a slot frees. The cloud was never an
 * answer for it: the client gets the local model's own 503 `overloaded` with `Retry-After`.
 */
import { describe, expect, it } from "vitest";
import { chatAs, whileLocalBusy } from "../support/busy-local-slot.js";
import { fakeCloudGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { holder: "sk-blocked-holder-0123456789", asker: "sk-blocked-asker-0123456789" };
const SECRET = "Deploy with this key: AKIAIOSFODNN7EXAMPLE and password=hunter2-Tr0ub4dor";

// One local slot and no queue: while it is busy, the local model refuses at once. The shipped routing.yaml and pii.yaml.
const cloud = fakeCloudGateway({ models: { parallel: 1, queue: 0, maxRetries: 2 }, gateway: { env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } } });

const chat = (key: string, body: Record<string, unknown>) => chatAs(cloud.gw.url, key, body);
const whileBusy = <T>(ask: () => Promise<T>) => whileLocalBusy(cloud.gw.url, KEYS.holder, ask);

describe("an overloaded local model the client named, with a secret the cloud last resort may not get", () => {
  it("answers 503 overloaded with Retry-After, not 400 pii_blocked, and sends nothing to the cloud", async () => {
    const res = await whileBusy(() => chat(KEYS.asker, { messages: [{ role: "user", content: SECRET }] }));
    const body = (await res.json()) as { error: { type: string; code: string } };
    expect({ status: res.status, code: body.error.code }).toEqual({ status: 503, code: "overloaded" });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("x-switchyard-fallback")).toBeNull();
    // The block (the key and the password) was still taken on what the request carried: reported and counted.
    expect(res.headers.get("x-switchyard-pii")).toBe("SECRET=block:2");
    expect(cloud.fake.requests.filter((r) => r.path.startsWith("/v1/chat"))).toEqual([]);
    const [record] = await usageRecords(cloud.gw.url, KEYS.asker, 1);
    expect({ model: record!.model, status: record!.status, error: record!.error, fallback: record!.fallback }).toEqual({ model: "stories", status: "503", error: "overloaded", fallback: "false" });
    expect(record!.pii_actions).toContain("SECRET");
  });

  it("still refuses the secret when the cloud was the target the client named", async () => {
    const res = await chat(KEYS.asker, { model: "fake-gpt", messages: [{ role: "user", content: SECRET }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("pii_blocked");
  });
});
