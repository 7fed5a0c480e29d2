/**
 * The shadow stage on its own: the candidate is compared once, with the intent when its decision
 * could depend on it and the active policy did not classify; the classifier runs at most once; a
 * classifier that fails for the candidate only leaves the request uncompared, never failed.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { IntentClassifier, IntentPrediction } from "../../classifiers/index.js";
import type { AnalyzeDeps } from "../../src/pipeline/stages/analyze.js";
import type { Conversation } from "../../src/pipeline/stages/conversation.js";
import { compareWithShadow } from "../../src/pipeline/stages/shadow.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { PolicyStore } from "../../src/policy/store.js";
import { features, memoryLogger, policyDir } from "../policy/support.js";

const ACTIVE = "version: 1\ndefault: { route: local }\n";
const CANDIDATE = `
version: 1
rules:
  - name: code-to-cloud
    when: { intent: code }
    then: { route: cloud }
default: { route: local }
`;
/** A candidate that reads a header the active policy does not. */
const BY_HEADER = `
version: 1
rules:
  - name: research-to-cloud
    when: { headers: { x-team: research } }
    then: { route: cloud }
default: { route: local }
`;
/** A candidate that never reads the intent. */
const BY_TENANT = `
version: 1
rules:
  - name: acme-to-cloud
    when: { tenant: acme }
    then: { route: cloud }
default: { route: local }
`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(candidate: string) {
  const active = await policyDir({ "routing.yaml": ACTIVE });
  const shadow = await policyDir({ "routing.yaml": candidate, "models.yaml": "", "intents.yaml": "" });
  cleanup.push(active.remove, shadow.remove);
  const logger = memoryLogger();
  const store = await PolicyStore.open({ dir: active.dir, shadowDir: shadow.dir, log: logger.log });
  cleanup.push(() => store.close());
  return { store, logger };
}

/** A classifier that answers `code` (or throws `failure`), counting its calls. */
function classifier(failure?: Error): IntentClassifier & { calls: number } {
  const fake = {
    calls: 0,
    labels: ["greeting", "code"],
    async classify(): Promise<IntentPrediction> {
      fake.calls++;
      if (failure) throw failure;
      return { intent: "code", confidence: 0.95, unsure: false } as IntentPrediction;
    },
  };
  return fake as unknown as IntentClassifier & { calls: number };
}

function deps(c: IntentClassifier | undefined): AnalyzeDeps {
  return { classifier: c, classifierText: {}, metrics: { observeClassifier: () => {} } } as unknown as AnalyzeDeps;
}

const conversation = { request: { model: "auto", messages: [{ role: "user", content: "write a sort in Rust" }] }, scope: undefined } as unknown as Conversation;

function ctx(log: ReturnType<typeof memoryLogger>["log"], headers: Record<string, string> = {}): ChatRequestContext {
  return { log, header: (name: string) => headers[name] } as unknown as ChatRequestContext;
}

/** Features as the active policy left them: it never classified, so there is no intent. */
const unclassified = () => features({ intent: undefined, confidence: undefined, unsure: undefined });

describe("compareWithShadow", () => {
  it("classifies for a candidate that reads the intent, and compares once with it", async () => {
    const { store, logger } = await setup(CANDIDATE);
    const c = classifier();
    const f = unclassified();
    const { decision } = store.decide(f);
    await compareWithShadow(store.shadow, ctx(logger.log), { decision, features: f, classified: false, conversation }, deps(c));
    expect(c.calls).toBe(1);
    expect(store.status().shadow).toMatchObject({ decisions: 1, disagreements: 1 });
    expect(store.status().shadow!.byRulePair).toEqual([expect.objectContaining({ active: "default", candidate: "code-to-cloud" })]);
    // The active features are the active policy's: the intent went into the candidate's copy only.
    expect(f.intent).toBeUndefined();
  });

  it("does not classify again when the active policy already did", async () => {
    const { store, logger } = await setup(CANDIDATE);
    const c = classifier();
    const f = features({ intent: "code" });
    const { decision } = store.decide(f);
    await compareWithShadow(store.shadow, ctx(logger.log), { decision, features: f, classified: true, conversation }, deps(c));
    expect(c.calls).toBe(0);
    expect(store.status().shadow).toMatchObject({ decisions: 1, disagreements: 1 });
  });

  it("does not classify for a candidate whose decision cannot depend on the intent", async () => {
    const { store, logger } = await setup(BY_TENANT);
    const c = classifier();
    const f = unclassified();
    const { decision } = store.decide(f);
    await compareWithShadow(store.shadow, ctx(logger.log), { decision, features: f, classified: false, conversation }, deps(c));
    expect(c.calls).toBe(0);
    expect(store.status().shadow).toMatchObject({ decisions: 1, disagreements: 1 });
  });

  it("leaves the request uncompared, and says so, when the classifier fails for the candidate", async () => {
    const { store, logger } = await setup(CANDIDATE);
    const f = unclassified();
    const { decision } = store.decide(f);
    await expect(
      compareWithShadow(store.shadow, ctx(logger.log), { decision, features: f, classified: false, conversation }, deps(classifier(new Error("classifier down")))),
    ).resolves.toBeUndefined();
    expect(store.status().shadow).toMatchObject({ decisions: 0 });
    const logged = logger.lines().find((line) => line.msg === "shadow policy: the classifier failed; this request is not compared");
    expect(logged).toMatchObject({ level: 50, role: "shadow", err: { message: "classifier down" } });
  });

  it("gives the candidate the request headers it reads, which the active policy did not copy", async () => {
    const { store, logger } = await setup(BY_HEADER);
    const f = unclassified();
    expect(f.headers).toEqual({});
    const { decision } = store.decide(f);
    await compareWithShadow(store.shadow, ctx(logger.log, { "x-team": "research" }), { decision, features: f, classified: false, conversation }, deps(undefined));
    expect(store.status().shadow).toMatchObject({ decisions: 1, disagreements: 1 });
    expect(store.status().shadow!.byRulePair).toEqual([expect.objectContaining({ active: "default", candidate: "research-to-cloud" })]);
    expect(f.headers).toEqual({});
  });
});
