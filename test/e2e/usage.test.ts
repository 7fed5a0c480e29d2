/**
 * Issue 7 end to end: what real gateway instances on one Redis record about the requests they
 * answer, as `GET /v1/usage`, `GET /metrics` and monthly budgets show it.
 *
 * Prices (test models.yaml): fake-gpt $0.15 / $0.60 per 1M input / output tokens; the baseline gpt-4o
 * $2.50 / $10; the local stories model $0.10 an hour over 2 slots. The fake cloud reports 11 prompt
 * tokens and 7 completion tokens for a whole answer, and 5 completion tokens for its 5-chunk stream.
 * Each test uses tenants of its own, so what other tests (and files) record never shows in its view.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chat, contextYaml, dropKeys, eventually, http, inBatches, PATIENT_CONTEXT_ENV, patientPiiPolicy, unique, user, type ChatAnswer } from "./support.js";

/** Per-token prices in USD. */
const FAKE_GPT = { input: 0.15e-6, output: 0.6e-6 };
const BASELINE = { input: 2.5e-6, output: 10e-6 };
const priced = (price: { input: number; output: number }, prompt: number, completion: number) => prompt * price.input + completion * price.output;

const ADMIN_KEY = "admin-key-e2e-usage-0123456789";
const tenant = (name: string) => ({ id: unique(`e2e-${name}`), key: `key-${unique(name)}` });
const MAIN = tenant("main");
const SHARED = tenant("shared");
const METERED = tenant("metered");
const DENIED = tenant("denied");
const FORCED = tenant("forced");
const QUEUED = tenant("queued");
const TENANTS = [MAIN, SHARED, METERED, DENIED, FORCED, QUEUED];
const REDIS_PREFIX = `${unique("e2e-usage")}:`;

// Tiny budgets: one cloud request ($0.00000585) spends them.
const BUDGETS = `
version: 1
tenants:
  ${DENIED.id}: { monthly_usd: 0.000001, action: deny }
  ${FORCED.id}: { monthly_usd: 0.000001, action: force_local }
`;

interface Summary {
  requests: number;
  errors: number;
  local_requests: number;
  fallbacks: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  baseline_cost_usd: number;
  savings_usd: number;
}
interface Report {
  tenant: string | null;
  totals: Summary;
  groups: Array<{ key: string } & Summary>;
}

let fake: FakeOpenAI;
let gw1: TestGateway;
let gw2: TestGateway;

beforeAll(async () => {
  const piiPolicy = await patientPiiPolicy();
  fake = await startFakeOpenAI();
  const start = () =>
    startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
      files: { "budgets.yaml": BUDGETS, "context.yaml": contextYaml(REDIS_PREFIX), "pii.yaml": piiPolicy },
      env: {
        REDIS_URL: inject("redisUrl"),
        SWITCHYARD_API_KEYS: TENANTS.map((t) => `${t.id}=${t.key}`).join(","),
        SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
        ...PATIENT_CONTEXT_ENV,
      },
    });
  gw1 = await start();
  gw2 = await start();
});
afterAll(async () => {
  await gw1?.close();
  await gw2?.close();
  await fake?.close();
  await dropKeys(inject("redisUrl"), REDIS_PREFIX);
});

const ask = (gw: TestGateway, who: { key: string }, model: string, o: { stream?: boolean; maxTokens?: number } = {}) =>
  chat(
    gw.url,
    { model, stream: o.stream ?? false, ...(o.maxTokens ? { max_tokens: o.maxTokens } : {}), messages: [user("Tell me a short story about a cat.")] },
    { apiKey: who.key },
  );

async function usage(gw: TestGateway, apiKey: string, query = ""): Promise<Report> {
  const answer = await http(gw.url, "GET", `/v1/usage${query}`, { apiKey });
  if (answer.status !== 200) throw new Error(`GET /v1/usage answered ${answer.status}: ${answer.text}`);
  return answer.json as Report;
}

/** The report once `requests` requests have been written (recording is batched and asynchronous). */
const usageOnce = (gw: TestGateway, apiKey: string, requests: number, query = "") =>
  eventually(
    () => usage(gw, apiKey, query),
    (r) => r.totals.requests >= requests,
    5_000,
  );

const group = (report: Report, key: string) => report.groups.find((g) => g.key === key);

const localUsage = (answers: readonly ChatAnswer[]) =>
  answers.reduce(
    (sum, a) => {
      const u = (a.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      return { prompt: sum.prompt + u.prompt_tokens, completion: sum.completion + u.completion_tokens };
    },
    { prompt: 0, completion: 0 },
  );

describe("GET /v1/usage", () => {
  it("shows counts, tokens, cost and savings by model and route after local, cloud and failed requests", async () => {
    const localStarted = performance.now();
    const local = await inBatches([1, 2, 3], 3, () => ask(gw1, MAIN, "stories", { maxTokens: 8 }));
    const localWallSeconds = (performance.now() - localStarted) / 1000;
    expect(local.map((a) => a.headers.get("x-switchyard-route"))).toEqual(["local", "local", "local"]);
    const cloud = await Promise.all([ask(gw1, MAIN, "cloud"), ask(gw1, MAIN, "cloud"), ask(gw1, MAIN, "cloud", { stream: true })]);
    expect(cloud.map((a) => a.status)).toEqual([200, 200, 200]);
    fake.script({ kind: "error", status: 400, body: { error: { message: "bad request", type: "invalid_request_error", code: "bad", param: null } } });
    const failed = await ask(gw1, MAIN, "cloud");
    expect(failed.status).toBe(400);

    const byModel = await usageOnce(gw1, MAIN.key, 7, "?group_by=model");
    expect(byModel.tenant).toBe(MAIN.id);
    const tokens = localUsage(local);
    expect(tokens.prompt).toBeGreaterThan(0);
    expect(byModel.totals).toMatchObject({
      requests: 7,
      errors: 1,
      local_requests: 3,
      fallbacks: 0,
      prompt_tokens: tokens.prompt + 3 * 11,
      completion_tokens: tokens.completion + 7 + 7 + 5,
    });

    const cloudCost = priced(FAKE_GPT, 11, 7) * 2 + priced(FAKE_GPT, 11, 5);
    const cloudBaseline = priced(BASELINE, 11, 7) * 2 + priced(BASELINE, 11, 5);
    const fakeGpt = group(byModel, "fake-gpt")!;
    expect(fakeGpt).toMatchObject({ requests: 4, errors: 1, local_requests: 0, prompt_tokens: 33, completion_tokens: 19 });
    expect(fakeGpt.cost_usd).toBeCloseTo(cloudCost, 9);
    expect(fakeGpt.baseline_cost_usd).toBeCloseTo(cloudBaseline, 9);
    expect(fakeGpt.savings_usd).toBeCloseTo(cloudBaseline - cloudCost, 9);

    // The local model costs the slot time it held ($0.10/h over 2 slots), the baseline its tokens.
    const stories = group(byModel, "stories")!;
    expect(stories).toMatchObject({ requests: 3, errors: 0, local_requests: 3, prompt_tokens: tokens.prompt, completion_tokens: tokens.completion });
    expect(stories.cost_usd).toBeGreaterThan(0);
    // Each of the 3 concurrent requests held a slot for at most the batch's wall time.
    expect(stories.cost_usd).toBeLessThanOrEqual(3 * localWallSeconds * (0.05 / 3600));
    expect(stories.baseline_cost_usd).toBeCloseTo(priced(BASELINE, tokens.prompt, tokens.completion), 9);
    expect(stories.savings_usd).toBeCloseTo(stories.baseline_cost_usd - stories.cost_usd, 9);
    expect(byModel.totals.cost_usd).toBeCloseTo(fakeGpt.cost_usd + stories.cost_usd, 9);
    expect(byModel.totals.savings_usd).toBeCloseTo(fakeGpt.savings_usd + stories.savings_usd, 9);

    const byRoute = await usage(gw1, MAIN.key, "?group_by=route");
    expect(group(byRoute, "local")).toMatchObject({ requests: 3, local_requests: 3, errors: 0 });
    expect(group(byRoute, "cloud")).toMatchObject({ requests: 4, local_requests: 0, errors: 1 });
  });

  it("prices a local request by the time the model worked on it, not by its wait in the queue", async () => {
    // Four answers on a model with two slots: two of them wait for the first two to finish.
    const body = { model: "stories", temperature: 0, max_tokens: 48, messages: [user("Once upon a time")] };
    const answers = await Promise.all([1, 2, 3, 4].map(() => chat(gw1.url, body, { apiKey: QUEUED.key })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const rows = await eventually(
      async () => {
        const csv = await http(gw1.url, "GET", `/v1/usage/export?tenant=${QUEUED.id}`, { apiKey: ADMIN_KEY });
        const [header, ...lines] = csv.text.trim().split("\n");
        const columns = header!.split(",");
        return lines.map((line) => {
          const cells = line.split(",");
          return { costUsd: Number(cells[columns.indexOf("cost_usd")]), totalMs: Number(cells[columns.indexOf("total_ms")]) };
        });
      },
      (found) => found.length >= 4,
      5_000,
    );
    // $0.10 an hour over 2 slots: the milliseconds of slot time each request was charged for.
    const chargedMs = rows.map((r) => (r.costUsd / (0.1 / 2)) * 3_600_000);
    rows.forEach((r, i) => expect(chargedMs[i]!).toBeLessThanOrEqual(r.totalMs + 1));
    // The queued pair waited about as long as it generated; billing the wait would charge its whole time.
    expect(rows.filter((r, i) => chargedMs[i]! < 0.8 * r.totalMs).length).toBeGreaterThanOrEqual(2);
  });

  it("adds up what two gateway instances on one Redis recorded into one view", async () => {
    await Promise.all([ask(gw1, SHARED, "cloud"), ask(gw1, SHARED, "cloud"), ask(gw2, SHARED, "cloud"), ask(gw2, SHARED, "cloud"), ask(gw2, SHARED, "cloud")]);
    const expected = { requests: 5, errors: 0, prompt_tokens: 55, completion_tokens: 35 };
    for (const gw of [gw1, gw2]) {
      const report = await usageOnce(gw, SHARED.key, 5);
      expect(report.totals).toMatchObject(expected);
      expect(report.totals.cost_usd).toBeCloseTo(5 * priced(FAKE_GPT, 11, 7), 9);
    }
    // The admin key sees any tenant's usage; a tenant's key only its own.
    const admin = await usage(gw2, ADMIN_KEY, `?tenant=${SHARED.id}`);
    expect(admin.totals).toMatchObject(expected);
    expect((await http(gw1.url, "GET", `/v1/usage?tenant=${SHARED.id}`, { apiKey: MAIN.key })).status).toBe(403);
    expect((await http(gw1.url, "GET", "/v1/usage", { apiKey: "key-not-configured" })).status).toBe(401);
  });
});

describe("GET /metrics", () => {
  interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
  }
  /** The samples of a Prometheus text exposition (comments skipped). */
  const parseSamples = (text: string): Sample[] =>
    text
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
        if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
        const labels: Record<string, string> = {};
        for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
        return { name: match[1]!, labels, value: Number(match[3]) };
      });
  const scrape = async (gw: TestGateway): Promise<Sample[]> => {
    const answer = await http(gw.url, "GET", "/metrics");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/plain");
    return parseSamples(answer.text);
  };
  /** The sum of the samples named `name` whose labels include `labels`. */
  const total = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

  it("counts requests by route, model and status, and times the classifier", async () => {
    const before = await scrape(gw1);
    await ask(gw1, METERED, "stories", { maxTokens: 8 });
    await ask(gw1, METERED, "stories", { maxTokens: 8 });
    await ask(gw1, METERED, "cloud");
    fake.script({ kind: "error", status: 400 });
    await ask(gw1, METERED, "cloud");
    // "auto" leaves the choice to the policy, whose `unsure` rule needs the classifier's answer.
    const routed = await Promise.all([ask(gw1, METERED, "auto", { maxTokens: 8 }), ask(gw1, METERED, "auto", { maxTokens: 8 })]);
    const after = await scrape(gw1);

    const delta = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
    const routedTo = (model: string) => routed.filter((a) => a.status === 200 && a.headers.get("x-switchyard-model") === model).length;
    expect(routedTo("stories") + routedTo("fake-gpt")).toBe(2);
    expect(delta("switchyard_requests_total")).toBe(6);
    expect(delta("switchyard_requests_total", { route: "local", model: "stories", status: "200" })).toBe(2 + routedTo("stories"));
    expect(delta("switchyard_requests_total", { route: "cloud", model: "fake-gpt", status: "200" })).toBe(1 + routedTo("fake-gpt"));
    expect(delta("switchyard_requests_total", { route: "cloud", model: "fake-gpt", status: "400" })).toBe(1);
    expect(delta("switchyard_tokens_total", { route: "cloud", model: "fake-gpt", kind: "completion" })).toBe(7 * (1 + routedTo("fake-gpt")));
    expect(delta("switchyard_cost_usd_total", { route: "cloud", model: "fake-gpt" })).toBeCloseTo(priced(FAKE_GPT, 11, 7) * (1 + routedTo("fake-gpt")), 12);
    expect(delta("switchyard_request_duration_seconds_count")).toBe(6);
    expect(delta("switchyard_classifier_duration_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(delta("switchyard_classifier_duration_seconds_sum")).toBeGreaterThan(0);
  });
});

describe("monthly budgets", () => {
  it("refuses a tenant over a `deny` budget with 429 budget_exceeded, on every replica", async () => {
    fake.reset();
    const first = await ask(gw1, DENIED, "cloud");
    expect(first.status).toBe(200);

    const refused = await ask(gw1, DENIED, "cloud");
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { type: "rate_limit_error", code: "budget_exceeded" } });
    expect((refused.json as { error: { message: string } }).error.message).toContain(DENIED.id);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);

    // The other replica learns the spend through Redis (within its cache time) and refuses too.
    const elsewhere = await eventually(() => ask(gw2, DENIED, "cloud"), (a) => a.status === 429, 8_000, 100);
    expect(elsewhere.json).toMatchObject({ error: { code: "budget_exceeded" } });
    // A tenant without a budget is not affected.
    expect((await ask(gw2, MAIN, "cloud")).status).toBe(200);
  });

  it("answers a tenant over a `force_local` budget from the local model, and refuses what only the cloud could serve", async () => {
    const first = await ask(gw1, FORCED, "cloud");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-switchyard-route")).toBe("cloud");

    fake.reset();
    const forced = await ask(gw1, FORCED, "cloud", { maxTokens: 8 });
    expect(forced.status).toBe(200);
    expect(forced.headers.get("x-switchyard-route")).toBe("local");
    expect(forced.headers.get("x-switchyard-model")).toBe("stories");
    expect(forced.content.length).toBeGreaterThan(0);

    const needsTools = await chat(
      gw1.url,
      { model: "cloud", messages: [user("What is the weather in Paris?")], tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: {} } } }] },
      { apiKey: FORCED.key },
    );
    expect(needsTools.status).toBe(429);
    expect(needsTools.json).toMatchObject({ error: { code: "budget_exceeded" } });
    expect(fake.requests).toHaveLength(0);
  });

  it("does not count a dry run (`POST /v1/route`) as a budget enforcement", async () => {
    const enforced = async () => Number(/budget_enforcements_total\{action="force_local"\} (\S+)/.exec((await http(gw1.url, "GET", "/metrics")).text)?.[1] ?? 0);
    await ask(gw1, FORCED, "cloud", { maxTokens: 2 });
    const dryRun = () => http(gw1.url, "POST", "/v1/route", { apiKey: FORCED.key, body: { model: "cloud", messages: [user("Hello")] } });
    const forced = await eventually(dryRun, (a) => (a.json as { route?: string } | undefined)?.route === "local", 8_000, 100);
    expect(forced.status).toBe(200);
    const before = await enforced();
    expect((await dryRun()).status).toBe(200);
    expect(await enforced()).toBe(before);
  });
});
