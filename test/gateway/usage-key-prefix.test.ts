/**
 * Two deployments (staging and prod) on one Redis: context.yaml's `usage_key_prefix` keeps their
 * usage records, reports and budget counters apart, as `key_prefix` keeps their sessions. Before it,
 * usage keys were always `{switchyard:usage}`: staging's traffic used up prod's budgets, and each
 * admin's /v1/usage showed the other's tenants.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const url = inject("redisUrl");
const run = Math.random().toString(36).slice(2);
const TENANT_KEY = "sk-shared-1234567890";
const ADMIN_KEY = "admin-key-0123456789abcdef";

const fake = await startFakeOpenAI({ record: false });
const deployment = (name: string) =>
  startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    files: {
      "routing.yaml": NO_FALLBACK_ROUTING,
      "context.yaml": `key_prefix: "${name}-${run}:ctx:"\nusage_key_prefix: "${name}-${run}:"\n`,
      // About two requests' worth: the third is refused.
      "budgets.yaml": "version: 1\ntenants:\n  shared: { monthly_usd: 0.00001, action: deny }\n",
    },
    env: { REDIS_URL: url, SWITCHYARD_API_KEYS: `shared=${TENANT_KEY}`, SWITCHYARD_ADMIN_KEY: ADMIN_KEY },
    waitForModels: false,
  });
const staging: TestGateway = await deployment("staging");
const prod: TestGateway = await deployment("prod");
const redis = new Redis(url);
afterAll(async () => {
  await Promise.all([staging.close(), prod.close(), fake.close()]);
  for (const name of ["staging", "prod"]) {
    const keys = await redis.keys(`{${name}-${run}:usage}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

const ask = (gw: TestGateway) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TENANT_KEY}` },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "hi" }] }),
  });
const requestsReported = async (gw: TestGateway) => {
  const report = (await (await fetch(`${gw.url}/v1/usage`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { totals: { requests: number } };
  return report.totals.requests;
};

describe("usage_key_prefix: deployments sharing one Redis", { timeout: 60_000 }, () => {
  it("keeps each deployment's usage and budgets to itself", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask(staging)).status);
    expect(statuses).toEqual([200, 200, 429]);
    // The refused request is recorded too (status 429, $0).
    await expect.poll(() => requestsReported(staging), { timeout: 10_000 }).toBe(3);

    expect(await requestsReported(prod)).toBe(0);
    expect((await ask(prod)).status).toBe(200);
    expect(await redis.exists(`{staging-${run}:usage}:records`)).toBe(1);
  });
});
