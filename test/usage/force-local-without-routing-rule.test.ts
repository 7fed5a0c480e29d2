/**
 * budgets.yaml's `force_local` keeps a spent tenant off the cloud whatever routing.yaml says. It was only
 * an input to routing's `budget_exceeded` condition: a policy without a rule for the spent tenant (the
 * docs' own "Cap spend of tenant X" example covers one tenant) kept sending others to the cloud, while
 * the enforcement metric counted each such request as enforced.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: tenant-x-over-budget
    when: { tenant: tenant-x, budget_exceeded: true }
    then: { route: local, degrade: false, pin: true }
default: { route: cloud, fallbacks: [local] }
`;
// One cloud request spends these.
const BUDGETS = `
version: 1
tenants:
  tenant-x: { monthly_usd: 0.000001, action: force_local }
  globex: { monthly_usd: 0.000001, action: force_local }
`;
const cloud = fakeCloudGateway({
  gateway: { files: { "routing.yaml": ROUTING, "budgets.yaml": BUDGETS }, env: { SWITCHYARD_API_KEYS: "globex=key-globex-123,tenant-x=key-tenant-x" } },
});

async function ask(body: object): Promise<{ status: number; route: string | null; json: unknown }> {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer key-globex-123" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Tell me a short story about a cat." }], max_tokens: 8, ...body }),
  });
  return { status: response.status, route: response.headers.get("x-switchyard-route"), json: await response.json() };
}

describe("a tenant over a force_local budget that no routing rule mentions", () => {
  it("is answered by the local model, and refused 429 for what only the cloud could serve", async () => {
    // Spends the budget.
    expect((await ask({})).route).toBe("cloud");
    cloud.fake.reset();
    await expect.poll(async () => (await ask({})).route, { timeout: 8_000 }).toBe("local");
    const tools = await ask({ tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: {} } } }] });
    expect(tools.status).toBe(429);
    expect(tools.json).toMatchObject({ error: { code: "budget_exceeded", type: "rate_limit_error" } });
    expect(cloud.fake.requests).toHaveLength(0);
  });
});
