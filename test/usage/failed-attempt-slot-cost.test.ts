/**
 * A model priced per hour is charged the slot time it held whether it answered or not: a request it
 * failed on pays for that time when a fallback answers as when the chain fails, and a request that got
 * no answer claims no savings (its baseline was priced on no tokens, which read as a loss before).
 */
import { describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { alone: "sk-slot-alone-0123456789", chain: "sk-slot-chain-0123456789", refused: "sk-slot-refused-0123456789" };
const TIMEOUT_MS = 800;
/** $3.60 an hour on one slot: $0.000001 per millisecond held. */
const USD_PER_MS = 3.6 / 3_600_000;

const ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: box-alone
    when: { model: box }
    then: { route: box, pin: true }
  - name: box-then-cloud
    when: { model: auto }
    then: { route: box, fallbacks: [gpt-4o] }
default: { route: local }
`;

/** The test models plus `box`: a rented server priced per hour, on the same fake upstream. */
function withBox(yaml: string, baseURL: string): string {
  return yaml
    .replace("providers:\n", `providers:\n  box-server:\n    type: openai_compatible\n    base_url: ${baseURL}\n    timeout_ms: ${TIMEOUT_MS}\n    max_retries: 0\n`)
    .replace("models:\n", "models:\n  box:\n    provider: box-server\n    context_window: 8192\n    capabilities: { tools: false, json_schema: false, vision: false }\n    price: { usd_per_hour: 3.6 }\n");
}

const cloud = upstreamGateway(() => startFakeOpenAI(), {
  modelsYaml: (f) => withBox(testModelsYaml({ cloudBaseURL: f.baseURL }), f.baseURL),
  gateway: { files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) }, waitForModels: false },
});

async function chat(key: string, model: string): Promise<Response> {
  return fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Summarise our refund policy in two sentences." }] }),
  });
}

const money = (row: Record<string, string> | undefined) => ({ cost: Number(row?.cost_usd), baseline: Number(row?.baseline_cost_usd), savings: Number(row?.savings_usd) });

describe("a per-hour model that times out", () => {
  it("is charged its slot time and claims no savings when no fallback answers", async () => {
    cloud.upstream.reset();
    cloud.upstream.script({ kind: "hang" });
    const res = await chat(KEYS.alone, "box");
    expect(res.status).toBe(504);
    const [row] = await usageRecords(cloud.gw.url, KEYS.alone, 1);
    expect(row).toMatchObject({ model: "box", status: "504" });
    const { cost, baseline, savings } = money(row);
    expect(cost).toBeGreaterThanOrEqual(TIMEOUT_MS * USD_PER_MS * 0.9);
    expect(baseline).toBe(cost);
    expect(savings).toBe(0);
  });

  it("is charged its slot time on top of the fallback's tokens when a fallback answers", async () => {
    cloud.upstream.reset();
    cloud.upstream.script({ kind: "hang" });
    const res = await chat(KEYS.chain, "auto");
    expect(res.status).toBe(200);
    await res.json();
    const [row] = await usageRecords(cloud.gw.url, KEYS.chain, 1);
    expect(row).toMatchObject({ model: "gpt-4o", fallback: "true", status: "200" });
    const { cost, baseline, savings } = money(row);
    // gpt-4o is the baseline: its own tokens cost what the baseline charges, and the box's time is the loss.
    const boxTime = cost - baseline;
    expect(boxTime).toBeGreaterThanOrEqual(TIMEOUT_MS * USD_PER_MS * 0.9);
    expect(boxTime).toBeLessThan(TIMEOUT_MS * USD_PER_MS * 10);
    expect(savings).toBeCloseTo(-boxTime, 9);
  });

  it("charges nothing for a per-hour model that did no work: it rate limited, and the fallback answered", async () => {
    cloud.upstream.reset();
    cloud.upstream.script({ kind: "error", status: 429 });
    const res = await chat(KEYS.refused, "auto");
    expect(res.status).toBe(200);
    await res.json();
    const [row] = await usageRecords(cloud.gw.url, KEYS.refused, 1);
    expect(row).toMatchObject({ model: "gpt-4o", fallback: "true" });
    const { cost, baseline, savings } = money(row);
    expect(cost).toBe(baseline);
    expect(savings).toBe(0);
  });
});
