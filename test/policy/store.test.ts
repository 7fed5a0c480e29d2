import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/yaml-file.js";
import { checkPolicyFiles } from "../../src/policy/check-files.js";
import { decide } from "../../src/policy/decide.js";
import type { RequestFeatures } from "../../src/policy/features.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { PolicyStore } from "../../src/policy/store.js";
import { features, memoryLogger, policyDir } from "./support.js";
import { until as pollUntil } from "../support/until.js";

const routing = (marker: string, target: string) => `
version: 1
rules:
  - name: ${marker}
    when: { tenant: acme }
    then: { route: ${target} }
default: { route: local }
`;
const A = routing("version-a", "local");
const B = routing("version-b", "cloud");
const BROKEN = "version: 1\nrules:\n  - name: x\n    when: { tenant: acme }\n    then: { route: gpt-5 }\ndefault: { route: local }\n";

const until = (check: () => boolean, timeoutMs = 5000) => pollUntil(check, timeoutMs, 20);

describe("PolicyStore", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function open(files: Record<string, string> = { "routing.yaml": A }, extra: Partial<Parameters<typeof PolicyStore.open>[0]> = {}) {
    const dir = await policyDir(files);
    cleanup.push(dir.remove);
    const logger = memoryLogger();
    const store = await PolicyStore.open({ dir: dir.dir, log: logger.log, debounceMs: 30, ...extra });
    cleanup.push(() => store.close());
    return { dir, store, logger };
  }

  it("refuses to start with an invalid policy", async () => {
    const dir = await policyDir({ "routing.yaml": BROKEN });
    cleanup.push(dir.remove);
    await expect(PolicyStore.open({ dir: dir.dir, log: memoryLogger().log })).rejects.toBeInstanceOf(ConfigError);
  });

  it("swaps in a valid change on reload and reports no change when the files are the same", async () => {
    const { dir, store } = await open();
    const first = store.snapshot;
    expect(await store.reload("manual")).toEqual({ ok: true, changed: false, version: first.version });
    expect(store.snapshot).toBe(first);
    await dir.write("routing.yaml", B);
    const result = await store.reload("admin");
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(store.version).not.toBe(first.version);
    expect(store.decide(features()).decision).toMatchObject({ rule: "version-b", model: "gpt-4o-mini", policy: store.version });
    expect(store.reloads).toBe(1);
  });

  it("reads nothing for a reload asked after it closed (a SIGHUP during shutdown), and counts no failure", async () => {
    let checks = 0;
    const { dir, store, logger } = await open({ "routing.yaml": A }, { check: async (input) => (checks++, checkPolicyFiles(input)) });
    await store.close();
    await dir.write("routing.yaml", B);
    const result = await store.reload("signal");
    expect(result).toMatchObject({ ok: false, version: store.version });
    expect(checks).toBe(0);
    expect(store.decide(features()).decision).toMatchObject({ rule: "version-a" });
    expect([store.reloadFailures, store.lastError]).toEqual([0, null]);
    expect(logger.lines().filter((line) => line.level === 50)).toEqual([]);
  });

  it("keeps serving the last good policy when a reload finds a broken file, and says why", async () => {
    const { dir, store, logger } = await open();
    const good = store.snapshot;
    await dir.write("routing.yaml", BROKEN);
    const result = await store.reload("signal");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.version).toBe(good.version);
    expect(result.error.message).toMatch(/routing\.yaml:5:20: rules\[0\]\.then\.route: unknown model 'gpt-5'/);
    expect(store.snapshot).toBe(good);
    expect(store.decide(features()).decision).toMatchObject({ rule: "version-a", policy: good.version });
    expect(store.reloadFailures).toBe(1);
    expect(store.lastError).toMatchObject({ trigger: "signal", problems: [expect.objectContaining({ line: 5, col: 20 })] });
    const logged = logger.lines().find((line) => line.msg === "routing policy reload failed; the previous version keeps serving");
    expect(logged).toMatchObject({ level: 50, trigger: "signal", active: good.version });

    // Also invalid YAML and a vanished file.
    await dir.write("routing.yaml", "version: 1\ndefault: { route: local\n");
    expect((await store.reload()).ok).toBe(false);
    await dir.write("models.yaml", "providers: {}\nmodels: {}\n");
    expect((await store.reload()).ok).toBe(false);
    expect(store.reloadFailures).toBe(3);
    expect(store.snapshot).toBe(good);

    // Fixed: the error clears, the counter stays.
    const { MODELS_YAML } = await import("./support.js");
    await dir.write("models.yaml", MODELS_YAML);
    await dir.write("routing.yaml", B);
    expect(await store.reload()).toMatchObject({ ok: true, changed: true });
    expect(store.lastError).toBeNull();
    expect(store.reloadFailures).toBe(3);
    expect(store.status()).toMatchObject({ version: store.version, reloads: 1, reloadFailures: 3, lastError: null, rules: 1, shadow: null });
  });

  it("checks intent names against the injected classifier labels at every load", async () => {
    let labels = ["greeting", "code"];
    const withIntent = "version: 1\nrules:\n  - { name: c, when: { intent: code }, then: { route: cloud } }\ndefault: { route: local }\n";
    const { store } = await open({ "routing.yaml": withIntent }, { labels: () => labels });
    labels = ["greeting", "coding"];
    const result = await store.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/unknown intent 'code'; the classifier knows: coding, greeting/);
  });

  it("reloads on file changes after a quiet period, and not on broken edits", async () => {
    const { dir, store } = await open();
    store.watch();
    const first = store.version;
    await dir.write("routing.yaml", B);
    await until(() => store.version !== first);
    const second = store.version;
    await dir.write("routing.yaml", BROKEN);
    await until(() => store.reloadFailures === 1);
    expect(store.version).toBe(second);
    expect(store.lastError?.trigger).toBe("watch");
    await dir.write("routing.yaml", A);
    await until(() => store.lastError === null);
    expect(store.version).toBe(first);
  });

  it("runs reloads one at a time, in order", async () => {
    const { dir, store } = await open();
    await dir.write("routing.yaml", B);
    const results = await Promise.all([store.reload(), store.reload(), store.reload()]);
    expect(results.map((r) => r.ok && r.changed)).toEqual([true, false, false]);
  });

  it("requests during reloads each see exactly one policy version", async () => {
    const { dir, store } = await open();
    const versions = new Map<string, { rule: string; model: string }>();
    for (const [text, rule, model] of [
      [A, "version-a", "local-slm"],
      [B, "version-b", "gpt-4o-mini"],
    ] as const) {
      await dir.write("routing.yaml", text);
      versions.set((await loadPolicyDir({ dir: dir.dir })).policy.version, { rule, model });
    }
    await dir.write("routing.yaml", A);
    await store.reload();

    let stop = false;
    const flipper = (async () => {
      for (let i = 0; !stop; i++) {
        await dir.write("routing.yaml", [B, BROKEN, A][i % 3]!);
        await store.reload();
      }
    })();
    const seen = new Set<string>();
    const request = async (i: number) => {
      // A request reads the snapshot once, then works with it across awaits (classifier, upstream…).
      const snapshot = store.snapshot;
      await sleep(i % 7);
      const decision = decide(features(), snapshot.policy);
      await sleep(i % 3);
      const viaStore = i % 2 ? store.decide(features()) : store.decide(features(), snapshot);
      if (i % 2 === 0) expect(viaStore.snapshot).toBe(snapshot);
      for (const [version, d] of [
        [snapshot.version, decision],
        [viaStore.snapshot.version, viaStore.decision],
      ] as const) {
        expect(d.policy).toBe(version);
        const expected = versions.get(version);
        expect(expected, `unknown version ${version}`).toBeDefined();
        expect(d.kind === "route" && { rule: d.rule, model: d.model }).toEqual(expected);
        seen.add(version);
      }
    };
    for (let wave = 0; wave < 20; wave++) await Promise.all(Array.from({ length: 50 }, (_, i) => request(i)));
    stop = true;
    await flipper;
    expect(seen.size).toBe(2);
    expect(store.reloadFailures).toBeGreaterThan(0);
  });
});

describe("shadow mode", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  const candidate = `
version: 1
rules:
  - name: candidate-acme
    when: { tenant: acme }
    then: { route: cloud }
  - name: candidate-block
    when: { tenant: blocked }
    then: { deny: { status: 403, message: no } }
default: { route: local }
`;

  async function setup(shadowRouting: string) {
    const active = await policyDir({ "routing.yaml": A });
    const shadow = await policyDir({ "routing.yaml": shadowRouting, "models.yaml": "", "intents.yaml": "" });
    cleanup.push(active.remove, shadow.remove);
    const logger = memoryLogger();
    const store = await PolicyStore.open({ dir: active.dir, shadowDir: shadow.dir, log: logger.log, debounceMs: 30 });
    cleanup.push(() => store.close());
    return { store, logger, shadow };
  }

  /** What the gateway does for one served request: decide with the active policy, then compare once. */
  function serve(store: PolicyStore, f: RequestFeatures) {
    const { decision } = store.decide(f);
    return { decision, shadow: store.shadow!.compare(decision, f) };
  }

  it("decides with both, executes the active decision, and counts disagreements by rule pair", async () => {
    const { store, logger } = await setup(candidate);
    const results = [
      serve(store, features({ tenant: "acme" })), // active version-a → local, candidate → cloud: disagree
      serve(store, features({ tenant: "acme" })),
      serve(store, features({ tenant: "globex" })), // default → local on both: agree
      serve(store, features({ tenant: "blocked" })), // active default local, candidate deny: disagree
    ];
    expect(results[0]!.decision).toMatchObject({ rule: "version-a", model: "local-slm" });
    expect(results[0]!.shadow).toMatchObject({ rule: "candidate-acme", model: "gpt-4o-mini" });
    const stats = store.status().shadow!;
    expect(stats).toMatchObject({ decisions: 4, agreements: 1, disagreements: 3, lastError: null });
    expect(stats.version).toMatch(/^[0-9a-f]{12}$/);
    expect(stats.byRulePair).toEqual([
      { active: "version-a", candidate: "candidate-acme", count: 2, lastActive: "route:local-slm", lastCandidate: "route:gpt-4o-mini" },
      { active: "default", candidate: "candidate-block", count: 1, lastActive: "route:local-slm", lastCandidate: "deny:403" },
    ]);
    const logged = logger.lines().filter((line) => line.msg === "shadow policy disagrees");
    expect(logged.map((line) => line.level)).toEqual([30, 20, 30]); // info, debug (a repeat), info
  });

  it("waits for a valid candidate, then starts counting; counts restart when the candidate changes", async () => {
    const { store, shadow } = await setup(BROKEN);
    expect(store.status().shadow).toMatchObject({ version: null, decisions: 0, reloadFailures: 1 });
    expect(store.status().shadow!.lastError?.message).toMatch(/routing\.yaml:5:20: .*unknown model 'gpt-5'/);
    expect(serve(store, features()).shadow).toBeUndefined();

    await shadow.write("routing.yaml", candidate);
    await store.reload("admin");
    serve(store, features({ tenant: "acme" }));
    expect(store.status().shadow).toMatchObject({ decisions: 1, disagreements: 1, lastError: null });

    await shadow.write("routing.yaml", A);
    await store.reload("admin");
    expect(store.status().shadow).toMatchObject({ decisions: 0, disagreements: 0 });
    serve(store, features({ tenant: "acme" }));
    expect(store.status().shadow).toMatchObject({ decisions: 1, agreements: 1 });
  });

  it("a broken candidate never affects the active policy", async () => {
    const { store, shadow } = await setup(candidate);
    const version = store.version;
    await shadow.write("routing.yaml", "not: [valid");
    const result = await store.reload("admin");
    expect(result).toMatchObject({ ok: true, version });
    expect(store.reloadFailures).toBe(0);
    expect(store.status().shadow!.reloadFailures).toBe(1);
    // The last good candidate keeps shadowing.
    expect(serve(store, features({ tenant: "acme" })).shadow).toMatchObject({ rule: "candidate-acme" });
  });

  it("counts nothing for deciding alone: a request may decide several times on its way to one answer", async () => {
    const { store } = await setup(candidate);
    for (let i = 0; i < 3; i++) store.decide(features({ tenant: "acme" }));
    expect(store.status().shadow).toMatchObject({ decisions: 0, agreements: 0, disagreements: 0 });
  });

  it("does not count a request against a candidate that replaced the one it read", async () => {
    const { store, shadow } = await setup(candidate);
    const read = store.shadow!.snapshot;
    await shadow.write("routing.yaml", A);
    await store.reload("admin");
    const { decision } = store.decide(features({ tenant: "acme" }));
    expect(store.shadow!.compare(decision, features({ tenant: "acme" }), read)).toBeUndefined();
    expect(store.status().shadow).toMatchObject({ decisions: 0 });
    expect(store.shadow!.compare(decision, features({ tenant: "acme" }))).toMatchObject({ rule: "version-a" });
    expect(store.status().shadow).toMatchObject({ decisions: 1, agreements: 1 });
  });
});
