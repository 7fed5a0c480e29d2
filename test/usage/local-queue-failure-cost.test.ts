/**
 * A local model priced per hour charges a request for the time it held a generation slot. A request
 * that never got one — it timed out in the queue, or its client left while it waited — held none, so
 * it costs nothing: what the tenant is charged (and what its budget counts) is slot time only.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";
import { apiKeysEnv, usageRecords, usageTotals } from "../support/usage-api.js";

const KEYS = { holder: "sk-queue-holder-0123456789", queued: "sk-queue-waiter-0123456789" };
const QUEUE_TIMEOUT_MS = 1000;

// One slot at $0.10/h; no fallback, so a queued request's failure is the client's answer.
const cloud = fakeCloudGateway({
  models: { parallel: 1, queue: 4, queueTimeoutMs: QUEUE_TIMEOUT_MS, maxRetries: 2 },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chat(key: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], ...body }),
    signal,
  });
}

describe("a local request that never got a generation slot", () => {
  it("is charged no slot time, whether it timed out in the queue or its client left", async () => {
    // A long stream holds the only slot: its first chunk means the model is generating it.
    const holding = new AbortController();
    const holder = await chat(KEYS.holder, { max_tokens: 1900, stream: true }, holding.signal);
    expect(holder.status).toBe(200);
    const reader = holder.body!.getReader();
    await reader.read();

    // Queued behind it: the client leaves after 300 ms, before the queue would time it out.
    const leaving = new AbortController();
    const left = chat(KEYS.queued, { max_tokens: 5 }, leaving.signal).catch((error: unknown) => error);
    // Queued behind it too: waits the whole queue timeout, then is refused as overloaded.
    const timedOut = chat(KEYS.queued, { max_tokens: 5 });
    await sleep(300);
    leaving.abort();
    expect(await left).toBeInstanceOf(Error);
    const refused = await timedOut;
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    holding.abort();
    await reader.cancel().catch(() => undefined);

    const totals = await usageTotals(cloud.gw.url, KEYS.queued, 2);
    expect(totals).toMatchObject({ requests: 2, errors: 2, completion_tokens: 0, cost_usd: 0, savings_usd: 0 });

    const rows = await usageRecords(cloud.gw.url, KEYS.queued, 2);
    const charged = rows.map((r) => ({ status: r.status, error: r.error, cost_usd: Number(r.cost_usd), savings_usd: Number(r.savings_usd) }));
    expect(charged.sort((a, b) => Number(a.status) - Number(b.status))).toEqual([
      { status: "499", error: "client_closed_request", cost_usd: 0, savings_usd: 0 },
      { status: "503", error: "overloaded", cost_usd: 0, savings_usd: 0 },
    ]);
    // The wait itself is still what the client saw.
    expect(Number(rows.find((r) => r.status === "503")!.total_ms)).toBeGreaterThanOrEqual(QUEUE_TIMEOUT_MS - 50);
  });
});
