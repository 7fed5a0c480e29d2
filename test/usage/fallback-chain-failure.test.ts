/**
 * A request whose whole fallback chain fails is recorded as what happened: the fallback was tried
 * (`fallback=true`), and the record names the target whose failure the client got, on its route. So
 * /v1/usage's fallbacks, `switchyard_fallbacks_total` and `switchyard_requests_total{model,status}`
 * count failed chains too, under the model that gave the status.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords, usageTotals } from "../support/usage-api.js";

const KEYS = { chain: "sk-chain-fails-0123456789", degrade: "sk-chain-degrade-0123456789", holder: "sk-chain-holder-0123456789" };

/** `auto`: fake-gpt then gpt-4o, nothing else. `cloud`: fake-gpt, degrading to the local model. */
const ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: local }
rules:
  - name: chain-only
    when: { model: auto }
    then: { route: fake-gpt, fallbacks: [gpt-4o], degrade: false }
  - name: cloud-then-local
    when: { model: cloud }
    then: { route: fake-gpt }
default: { route: local }
`;

// One local slot and no queue: while it is busy, the local model refuses at once (503 overloaded).
const cloud = fakeCloudGateway({ models: { parallel: 1, queue: 0 }, gateway: { files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } } });

function chat(key: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], ...body }),
    signal,
  });
}

/** The value of the `name` counter whose labels include every one of `labels` (0 before its first count). */
async function counter(name: string, labels: string[]): Promise<number> {
  const text = await (await fetch(`${cloud.gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const pick = (row: Record<string, string> | undefined) => row && { route: row.route, model: row.model, fallback: row.fallback, status: row.status, error: row.error };

describe("a request whose every target fails", () => {
  it("is recorded as a fallback, under the model whose failure the client got", async () => {
    const fallbacksBefore = await counter("switchyard_fallbacks_total", ['route="cloud"', 'model="gpt-4o"']);
    cloud.fake.reset();
    cloud.fake.script({ kind: "error", status: 500 }, { kind: "error", status: 503 });
    const res = await chat(KEYS.chain, { model: "auto" });
    // The client's error is gpt-4o's 503, as before.
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "upstream_error", message: expect.stringContaining("HTTP 503") });
    expect(cloud.fake.requests.map((r) => (r.body as { model: string }).model)).toEqual(["upstream-gpt", "upstream-gpt-4o"]);

    const [record] = await usageRecords(cloud.gw.url, KEYS.chain, 1);
    expect(pick(record)).toEqual({ route: "cloud", model: "gpt-4o", fallback: "true", status: "502", error: "upstream_error" });
    expect(await usageTotals(cloud.gw.url, KEYS.chain, 1)).toMatchObject({ requests: 1, errors: 1, fallbacks: 1 });
    expect(await counter("switchyard_fallbacks_total", ['route="cloud"', 'model="gpt-4o"'])).toBe(fallbacksBefore + 1);
    expect(await counter("switchyard_requests_total", ['route="cloud"', 'model="gpt-4o"', 'status="502"'])).toBe(1);
    expect(await counter("switchyard_requests_total", ['model="fake-gpt"', 'status="502"'])).toBe(0);
  });

  it("is recorded on the local route when a cloud failure degrades to the local model and that fails", async () => {
    // A long local stream holds the only slot, so the degraded attempt is refused as overloaded.
    const holding = new AbortController();
    const holder = await chat(KEYS.holder, { model: "stories", max_tokens: 1900, stream: true, messages: [{ role: "user", content: "Once upon a time" }] }, holding.signal);
    expect(holder.status).toBe(200);
    const reader = holder.body!.getReader();
    await reader.read();

    cloud.fake.script({ kind: "error", status: 500 });
    const res = await chat(KEYS.degrade, { model: "cloud" });
    holding.abort();
    await reader.cancel().catch(() => undefined);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    expect(res.headers.get("retry-after")).not.toBeNull();

    const [record] = await usageRecords(cloud.gw.url, KEYS.degrade, 1);
    expect(pick(record)).toEqual({ route: "local", model: "stories", fallback: "true", status: "503", error: "overloaded" });
    // It never got a slot: no slot time is charged.
    expect(Number(record!.cost_usd)).toBe(0);
    expect(await usageTotals(cloud.gw.url, KEYS.degrade, 1)).toMatchObject({ requests: 1, errors: 1, fallbacks: 1, local_requests: 1 });
  });
});
