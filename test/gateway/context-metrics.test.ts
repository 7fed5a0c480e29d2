/**
 * Ops alert on sessions that stop being saved: /metrics carries the context store's state and its
 * load/save counters (docs/CONTEXT.md), with Redis up and with Redis unreachable.
 */
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../support/redis-server.js";
import { fakeCloudGateway, type TestGateway } from "../support/gateway.js";

const redisUp = fakeCloudGateway({ gateway: { env: { REDIS_URL: inject("redisUrl") }, waitForModels: false } });
const deadPort = await freePort();
const redisDown = fakeCloudGateway({
  gateway: { env: { REDIS_URL: `redis://127.0.0.1:${deadPort}`, SWITCHYARD_CONTEXT_TIMEOUT_MS: "100" }, waitForModels: false },
});

async function sessionTurn(gw: TestGateway, session: string): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }),
  });
}

async function metric(gw: TestGateway, name: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not on /metrics`);
  return Number(line.split(" ")[1]);
}

describe("context store metrics", { timeout: 60_000 }, () => {
  it("counts session loads and saves and says the store is up", async () => {
    const { gw } = redisUp;
    for (const session of ["metrics-a", "metrics-b"]) expect((await sessionTurn(gw, session)).status).toBe(200);
    // The turn is saved after the answer is sent.
    await expect.poll(() => metric(gw, "switchyard_context_saves_total")).toBe(2);
    expect(await metric(gw, "switchyard_context_loads_total")).toBe(2);
    expect(await metric(gw, "switchyard_context_up")).toBe(1);
    expect(await metric(gw, "switchyard_context_degraded_loads_total")).toBe(0);
  });

  it("counts a dry run's read of a session apart from the loads of requests answered", async () => {
    const { gw } = redisUp;
    expect((await sessionTurn(gw, "metrics-dry")).status).toBe(200);
    await expect.poll(() => metric(gw, "switchyard_context_saves_total")).toBeGreaterThanOrEqual(1);
    const loads = await metric(gw, "switchyard_context_loads_total");
    const reads = await metric(gw, "switchyard_context_read_only_loads_total");
    for (let i = 0; i < 3; i++) {
      const dryRun = await fetch(`${gw.url}/v1/route`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-session-id": "metrics-dry" },
        body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "And now?" }] }),
      });
      expect(dryRun.status).toBe(200);
    }
    expect(await metric(gw, "switchyard_context_loads_total")).toBe(loads);
    expect(await metric(gw, "switchyard_context_read_only_loads_total")).toBe(reads + 3);
    expect(await metric(gw, "switchyard_context_degraded_loads_total")).toBe(0);
  });

  it("shows a store that cannot be reached as down, and the loads that went without it", async () => {
    const { gw } = redisDown;
    const answer = await sessionTurn(gw, "metrics-c");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-switchyard-context")).toBe("degraded");
    expect(await metric(gw, "switchyard_context_up")).toBe(0);
    expect(await metric(gw, "switchyard_context_degraded_loads_total")).toBe(1);
    // A dry run's read that went without the store is not a request answered without its context.
    const dryRun = await fetch(`${gw.url}/v1/route`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": "metrics-c" },
      body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "And now?" }] }),
    });
    expect(dryRun.status).toBe(200);
    expect(await metric(gw, "switchyard_context_degraded_loads_total")).toBe(1);
    expect(await metric(gw, "switchyard_context_loads_total")).toBe(1);
  });
});
