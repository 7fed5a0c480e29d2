/**
 * A request the PII policy blocks is still a PII action: its 400 reports what was found in
 * `x-switchyard-pii`, like every other answer, and usage and `/metrics` count it, so a dashboard of
 * blocked secrets is not always empty.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const KEY = "sk-pii-block-counted-0123456789";
const SECRET_REQUEST = { model: "cloud", messages: [{ role: "user", content: "my key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD" }] };

// The shipped routing: `model: cloud` is honoured (explicit-model), and pii.yaml blocks SECRET for the cloud.
const cloud = fakeCloudGateway({ models: { maxRetries: 2 }, gateway: { waitForModels: false, env: { SWITCHYARD_API_KEYS: `acme=${KEY}` } } });

async function piiTotals(): Promise<Record<string, number>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${cloud.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
    const { totals } = (await res.json()) as { totals: { requests: number; pii_actions: Record<string, number> } };
    if (totals.requests >= 1 || Date.now() > deadline) return totals.pii_actions;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a request blocked by the PII policy", () => {
  it("is refused with the summary header, and counted in usage and metrics", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(SECRET_REQUEST),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "pii_blocked" } });
    expect(response.headers.get("x-switchyard-pii")).toBe("SECRET=block:1");
    expect(cloud.fake.requests).toHaveLength(0);

    expect(await piiTotals()).toEqual({ "SECRET:block": 1 });
    const metrics = await (await fetch(`${cloud.gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_pii_actions_total\{type="SECRET",action="block"\} 1$/m);
  });
});
