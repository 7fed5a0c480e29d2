/**
 * Issue 5 end to end: no labelled personal value or secret of the PII corpus ever reaches a cloud
 * provider, wherever it travels in the request; pseudonymized values come back to the client as the
 * originals (also mid-stream); secrets are refused without being named; a failed scan sends nothing.
 *
 * Every cloud model here is a fake OpenAI-compatible server that records each request byte for byte;
 * the leak checks search those bytes (and every string inside them, JSON-decoded) for each labelled
 * value and its simple variants.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadCorpus, type CorpusSample } from "../../bench/pii-corpus.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chat, contextYaml, dropKeys, inBatches, PATIENT_CONTEXT_ENV, patientPiiPolicy, shippedPolicyWith, unique, user, type ChatAnswer, type ChatBody, type ChatMessageInput } from "./support.js";

const corpus = loadCorpus();
const hasSecret = (sample: CorpusSample) => sample.entities.some((e) => e.type === "SECRET");
const secretSamples = corpus.filter(hasSecret);
const personalSamples = corpus.filter((s) => !hasSecret(s));

const CHUNK_SIZES = [1, 2, 3, 5, 7] as const;
const echoModel = (chars: number) => `echo-c${chars}`;
const BATCH = 16;
const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_\d+>/;
const PII_HEADER_VALUE = /^[A-Z][A-Z0-9_]*=[a-z_]+:\d+(, [A-Z][A-Z0-9_]*=[a-z_]+:\d+)*$/;

const TENANT = unique("e2e-pii");
const API_KEY = "key-pii-egress-e2e";
const REDIS_PREFIX = `${unique("e2e-pii")}:`;

// ---------------------------------------------------------------------------------------------------
// What counts as a leak

/** The value, its case variants, its separator-free form and (for numbers) its digits. */
function forbiddenForms(value: string): string[] {
  const forms = new Set([value.toLowerCase()]);
  const compact = value.replace(/[\s\-.:()/]/g, "");
  if (compact.length >= 8) forms.add(compact.toLowerCase());
  const digits = value.replace(/\D/g, "");
  if (digits.length >= 7) forms.add(digits);
  return [...forms];
}

/** Every string inside a JSON value, with strings that are themselves JSON (tool arguments) opened too. */
function stringsIn(node: unknown, out: string[] = []): string[] {
  if (typeof node === "string") {
    out.push(node);
    if (/^\s*[[{]/.test(node)) {
      try {
        stringsIn(JSON.parse(node), out);
      } catch {
        // not JSON: the string itself is already collected
      }
    }
  } else if (Array.isArray(node)) {
    for (const item of node) stringsIn(item, out);
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      out.push(key);
      stringsIn(value, out);
    }
  }
  return out;
}

/** All bytes the fakes received (headers, raw body, decoded strings), lower-cased for the search. */
function everythingReceived(fakes: readonly FakeOpenAI[]): string {
  const parts: string[] = [];
  for (const fake of fakes) {
    for (const request of fake.requests) {
      parts.push(request.path, JSON.stringify(request.headers), request.raw.toString("utf8"), ...stringsIn(request.body));
    }
  }
  return parts.join("\n").toLowerCase();
}

interface Leak {
  id: string;
  type: string;
  value: string;
  form: string;
}

function leaksIn(haystack: string, samples: readonly CorpusSample[]): Leak[] {
  const found: Leak[] = [];
  for (const sample of samples) {
    for (const label of sample.entities) {
      for (const form of forbiddenForms(label.value)) {
        if (haystack.includes(form)) found.push({ id: sample.id, type: label.type, value: label.value, form });
      }
    }
  }
  return found;
}

const statusCounts = (answers: readonly ChatAnswer[]) =>
  answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});

// ---------------------------------------------------------------------------------------------------
// Gateways

/** The test models.yaml plus one echoing cloud model per chunk size, each on its own fake upstream. */
function modelsWithEchoes(cloudBaseURL: string, echoes: ReadonlyMap<number, FakeOpenAI>): string {
  const models = parse(testModelsYaml({ cloudBaseURL, maxRetries: 0 })) as {
    providers: Record<string, unknown>;
    models: Record<string, unknown>;
  };
  for (const [chars, fake] of echoes) {
    models.providers[echoModel(chars)] = { type: "openai_compatible", base_url: fake.baseURL, api_key_env: "FAKE_CLOUD_KEY", timeout_ms: 5000, max_retries: 0 };
    models.models[echoModel(chars)] = {
      provider: echoModel(chars),
      upstream_model: `upstream-echo-${chars}`,
      context_window: 128000,
      capabilities: { tools: true, json_schema: true, vision: true },
      price: { input_per_1m: 0.15, output_per_1m: 0.6 },
    };
  }
  return stringify(models);
}


let cloud: FakeOpenAI;
const echoes = new Map<number, FakeOpenAI>();
let gw: TestGateway;
const allFakes = () => [cloud, ...echoes.values()];
const resetFakes = () => allFakes().forEach((f) => f.reset());

const ask = (body: ChatBody, sessionId?: string) => chat(gw.url, body, { apiKey: API_KEY, ...(sessionId ? { sessionId } : {}) });

beforeAll(async () => {
  cloud = await startFakeOpenAI({ echo: true });
  for (const chars of CHUNK_SIZES) echoes.set(chars, await startFakeOpenAI({ echo: true, chunkChars: chars }));
  // The shipped policies, with sessions in the suite's Redis under this file's prefix and a scan time
  // budget no loaded machine overruns (the failing scan has its own tests below).
  gw = await startTestGateway({
    modelsYaml: modelsWithEchoes(cloud.baseURL, echoes),
    files: { "context.yaml": contextYaml(REDIS_PREFIX), "pii.yaml": await patientPiiPolicy() },
    env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_API_KEYS: `${TENANT}=${API_KEY}`, ...PATIENT_CONTEXT_ENV },
  });
});

afterAll(async () => {
  await gw?.close();
  await Promise.all(allFakes().map((f) => f?.close()));
  await dropKeys(inject("redisUrl"), REDIS_PREFIX);
});

// ---------------------------------------------------------------------------------------------------

describe("the labelled corpus sent to the cloud", () => {
  it("has enough PII-laden prompts to mean something", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(personalSamples.length).toBeGreaterThanOrEqual(200);
    expect(secretSamples.length).toBeGreaterThan(0);
  });

  it("delivers no labelled value to the cloud, asked plainly or streaming", async () => {
    resetFakes();
    // Plainly to the default cloud model, and streaming to an echoing one (the stream shape differs upstream).
    const plain = await inBatches(corpus, BATCH, (s) => ask({ model: "cloud", messages: [user(s.text)] }));
    const streamed = await inBatches(corpus, BATCH, (s, i) =>
      ask({ model: echoModel(CHUNK_SIZES[i % CHUNK_SIZES.length]!), stream: true, messages: [user(s.text)] }),
    );

    const described = (a: ChatAnswer) => `${a.status} via ${a.headers.get("x-switchyard-model")}: ${a.text.slice(0, 200)}`;
    corpus.forEach((sample, i) => {
      const expected = hasSecret(sample) ? 400 : 200;
      expect(plain[i]!.status, `${sample.id} plain: ${described(plain[i]!)}`).toBe(expected);
      expect(streamed[i]!.status, `${sample.id} streamed: ${described(streamed[i]!)}`).toBe(expected);
    });
    const expected = { 200: personalSamples.length, 400: secretSamples.length };
    expect(statusCounts(plain)).toEqual(expected);
    expect(statusCounts(streamed)).toEqual(expected);
    // Every answered prompt did reach the cloud (so the search below is over real traffic) ...
    expect(allFakes().reduce((n, f) => n + f.requests.length, 0)).toBe(2 * personalSamples.length);
    // ... and not one labelled value came with it.
    expect(leaksIn(everythingReceived(allFakes()), corpus)).toEqual([]);
  });

  it("refuses prompts with secrets with a 400 naming the entity types, never the values, and sends nothing", async () => {
    resetFakes();
    const answers = await inBatches(secretSamples, BATCH, (s) => ask({ model: "cloud", messages: [user(s.text)] }));
    secretSamples.forEach((sample, i) => {
      const answer = answers[i]!;
      expect(answer.status, sample.id).toBe(400);
      expect(answer.json).toMatchObject({ error: { type: "invalid_request_error", code: "pii_blocked" } });
      const message = (answer.json as { error: { message: string } }).error.message;
      expect(message).toContain("SECRET");
      const visible = `${answer.text}\n${JSON.stringify([...answer.headers.entries()])}`.toLowerCase();
      expect(leaksIn(visible, [sample]), sample.id).toEqual([]);
    });
    expect(cloud.requests).toHaveLength(0);
  });

  it("delivers no value carried in system messages, tool definitions, tool-call arguments, tool results or content parts", async () => {
    resetFakes();
    const placements: Array<(text: string) => { messages: ChatMessageInput[]; tools?: unknown[] }> = [
      (text) => ({ messages: [{ role: "system", content: text }, user("Follow the instructions above.")] }),
      (text) => ({
        messages: [user("File a ticket for this.")],
        tools: [
          {
            type: "function",
            function: {
              name: "file_ticket",
              description: text,
              parameters: { type: "object", properties: { summary: { type: "string", description: text, default: text } }, required: ["summary"] },
            },
          },
        ],
      }),
      (text) => ({
        messages: [
          user("Look up the customer."),
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: JSON.stringify({ query: text }) } }] },
          { role: "tool", tool_call_id: "call_1", content: `Found: ${text}` },
        ],
        tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { query: { type: "string" } } } } }],
      }),
      (text) => ({ messages: [{ role: "user", content: [{ type: "text", text }] } satisfies ChatMessageInput] }),
    ];
    const answers = await inBatches(corpus, BATCH, (sample, i) => ask({ model: "cloud", ...placements[i % placements.length]!(sample.text) }));

    corpus.forEach((sample, i) => expect(answers[i]!.status, `${sample.id} (placement ${i % placements.length})`).toBe(hasSecret(sample) ? 400 : 200));
    expect(cloud.requests).toHaveLength(personalSamples.length);
    expect(leaksIn(everythingReceived(allFakes()), corpus)).toEqual([]);
  });

  it("delivers no value from the session's stored history when a conversation moves from the local model to the cloud", async () => {
    resetFakes();
    // Every fourth prompt: its first turn is answered on the host (which sees everything), then the
    // conversation goes to the cloud with only a new, harmless turn from the client.
    const samples = corpus.filter((_, i) => i % 4 === 0);
    const sessions = samples.map((s) => `${s.id}-${unique("handoff")}`);
    const first = await inBatches(samples, 8, (s, i) => ask({ model: "stories", max_tokens: 8, messages: [user(s.text)] }, sessions[i]));
    expect(statusCounts(first)).toEqual({ 200: samples.length });
    expect(first.every((a) => a.headers.get("x-switchyard-route") === "local" && a.headers.get("x-switchyard-context") === null)).toBe(true);
    expect(cloud.requests).toHaveLength(0);

    const second = await inBatches(samples, BATCH, (_, i) => ask({ model: "cloud", messages: [user("Summarise what I told you so far.")] }, sessions[i]));
    expect(second.filter((a) => a.headers.get("x-switchyard-context") === "degraded")).toHaveLength(0);
    samples.forEach((sample, i) => expect(second[i]!.status, sample.id).toBe(hasSecret(sample) ? 400 : 200));
    const answered = samples.filter((s) => !hasSecret(s));
    expect(cloud.requests).toHaveLength(answered.length);
    // The stored history did travel: the first user turn, the local answer and the new turn ...
    for (const request of cloud.requests) expect((request.body as { messages: unknown[] }).messages).toHaveLength(3);
    // ... with its personal data as placeholders only.
    expect(cloud.requests.some((r) => PLACEHOLDER.test(r.raw.toString("utf8")))).toBe(true);
    expect(leaksIn(everythingReceived(allFakes()), samples)).toEqual([]);
  });
});

describe("pseudonymized values in the answer", () => {
  // Prompts with personal data and no secrets, spread over the corpus's categories. Values the client
  // wrote in an encoding (`+` for a space, quoted-printable, base64, HTML character references) come back
  // as read, not as written (`Elena+Tanaka` as "Elena Tanaka": docs/PII.md), so the echo cannot repeat
  // those prompts verbatim; form-encoded-spaces, quoted-printable, base64-text and
  // escapes-with-leading-zeros in test/pii check how they come back.
  const ENCODED = new Set(["form_data", "mime_mail", "base64", "html"]);
  const samples = personalSamples.filter((s) => s.entities.length > 0 && !ENCODED.has(s.category)).filter((_, i) => i % 8 === 0);

  it("come back to the client as the original values, whole and when the stream splits placeholders every 1, 2, 3, 5 or 7 characters", async () => {
    resetFakes();
    const plain = await inBatches(samples, BATCH, (s) => ask({ model: echoModel(1), messages: [user(s.text)] }));
    const streams = await Promise.all(
      CHUNK_SIZES.map((chars) => inBatches(samples, BATCH, (s) => ask({ model: echoModel(chars), stream: true, messages: [user(s.text)] }))),
    );

    for (const [label, answers] of [["whole", plain], ...CHUNK_SIZES.map((chars, k) => [`stream/${chars}`, streams[k]!] as const)] as const) {
      samples.forEach((sample, i) => {
        const answer = answers[i]!;
        expect(answer.status, `${label} ${sample.id}`).toBe(200);
        // The echo repeats the placeholders it received; the client reads the original text.
        expect(answer.content, `${label} ${sample.id}`).toBe(sample.text);
        expect(PLACEHOLDER.test(answer.text), `${label} ${sample.id}: a placeholder reached the client`).toBe(false);
      });
    }
    // The upstreams really did answer with placeholders (so the restoration was exercised) ...
    for (const fake of echoes.values()) {
      const received = fake.requests.map((r) => stringsIn(r.body).join("\n"));
      expect(received.length).toBeGreaterThan(0);
      expect(received.every((text) => PLACEHOLDER.test(text))).toBe(true);
    }
    // ... and never saw the values.
    expect(leaksIn(everythingReceived(allFakes()), samples)).toEqual([]);
  });

  it("are reported in x-switchyard-pii as entity types, actions and counts only", async () => {
    const answers = await inBatches(samples, BATCH, (s) => ask({ model: "cloud", messages: [user(s.text)] }));
    samples.forEach((sample, i) => {
      const header = answers[i]!.headers.get("x-switchyard-pii");
      expect(header, sample.id).toMatch(PII_HEADER_VALUE);
      // Each labelled type shows up (the engine finds every labelled value of these prompts).
      for (const type of new Set(sample.entities.map((e) => e.type))) expect(header, sample.id).toContain(`${type}=pseudonymize:`);
      expect(leaksIn(header!.toLowerCase(), [sample])).toEqual([]);
    });
  });
});

describe("a scan that fails", () => {
  const prompt = personalSamples[0]!;
  const fakeCloud = { current: undefined as FakeOpenAI | undefined };
  const started: TestGateway[] = [];
  let overBudgetRefuse: TestGateway;
  let overBudgetLocal: TestGateway;
  let shortLimit: TestGateway;

  beforeAll(async () => {
    const fake = (fakeCloud.current = await startFakeOpenAI({ echo: true }));
    const start = async (pii: Record<string, string>) => {
      const g = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), files: { "pii.yaml": await shippedPolicyWith("pii.yaml", pii) } });
      started.push(g);
      return g;
    };
    // A budget no scan can meet: every scan fails.
    overBudgetRefuse = await start({ "budget_ms: 250": "budget_ms: 0.001" });
    overBudgetLocal = await start({ "budget_ms: 250": "budget_ms: 0.001", "on_failure: refuse": "on_failure: local" });
    shortLimit = await start({ "max_text_chars: 1000000": "max_text_chars: 2000", "budget_ms: 250": "budget_ms: 5000" });
  });
  afterAll(async () => {
    await Promise.all(started.map((g) => g.close()));
    await fakeCloud.current?.close();
  });

  const send = (g: TestGateway, text: string, stream: boolean) => chat(g.url, { model: "cloud", stream, messages: [user(text)] });

  it("sends nothing to the cloud when the scan overruns its time budget", async () => {
    const fake = fakeCloud.current!;
    fake.reset();
    const answers = await Promise.all([false, true].flatMap((stream) => [overBudgetRefuse, overBudgetLocal].map((g) => send(g, prompt.text, stream))));
    for (const answer of answers) expect(answer.headers.get("x-switchyard-route")).not.toBe("cloud");
    expect(fake.requests).toHaveLength(0);
  });

  it("answers from the local model instead when pii.yaml says on_failure: local", async () => {
    for (const stream of [false, true]) {
      const answer = await send(overBudgetLocal, prompt.text, stream);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-switchyard-route")).toBe("local");
      expect(answer.content.length).toBeGreaterThan(0);
    }
    expect(fakeCloud.current!.requests).toHaveLength(0);
  });

  it("refuses with 503 pii_scan_failed when pii.yaml says on_failure: refuse", async () => {
    for (const stream of [false, true]) {
      const answer = await send(overBudgetRefuse, prompt.text, stream);
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: "pii_scan_failed" } });
    }
    expect(fakeCloud.current!.requests).toHaveLength(0);
  });

  it("refuses a text longer than the scan limit with 413 and sends nothing, while shorter texts still go", async () => {
    const fake = fakeCloud.current!;
    fake.reset();
    const long = `${prompt.text}\n${"Please keep this context in mind. ".repeat(80)}`;
    expect(long.length).toBeGreaterThan(2000);
    for (const stream of [false, true]) {
      const answer = await send(shortLimit, long, stream);
      expect(answer.status).toBe(413);
      expect(answer.json).toMatchObject({ error: { code: "pii_scan_failed" } });
    }
    expect(fake.requests).toHaveLength(0);

    const short = await send(shortLimit, prompt.text, false);
    expect(short.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    expect(leaksIn(everythingReceived([fake]), [prompt])).toEqual([]);
  });
});
