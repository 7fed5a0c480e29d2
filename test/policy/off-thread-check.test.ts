/**
 * The gateway's reloads parse and check the policy files on a worker thread
 * (`checkPolicyFilesOffThread`): the same result as on the serving thread, without holding that
 * thread while a large file parses, and a file too costly to check fails the reload with a problem
 * naming it instead of stalling or crashing the gateway.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { checkPolicyFiles, type PolicyCheckInput } from "../../src/policy/check-files.js";
import { checkPolicyDir } from "../../src/policy/check.js";
import { loadPolicyDir, type LoadPolicyOptions } from "../../src/policy/load.js";
import { checkPolicyFilesOffThread } from "../../src/policy/off-thread-check.js";
import { PolicyStore } from "../../src/policy/store.js";
import { longestStall } from "../support/event-loop-stall.js";
import { memoryLogger, policyDir, ROUTING_YAML } from "./support.js";

/** An intents.yaml of `count` examples written as one flow list: the yaml library's slowest shape a byte. */
function flowListIntents(count: number): string {
  const examples = Array.from({ length: count }, (_, i) => `example number ${i}`).join(", ");
  return `version: 1\nintents:\n  greeting:\n    route: local\n    description: greetings\n    examples: [${examples}]\n  code: { route: cloud, description: code, examples: [write code] }\n`;
}

function inputOf(intentsText: string): PolicyCheckInput {
  const file = (path: string, text: string) => ({ path, text, bytes: Buffer.byteLength(text) });
  return { dir: "policies", routing: file("policies/routing.yaml", ROUTING_YAML), intents: file("policies/intents.yaml", intentsText) };
}

async function outcome(options: LoadPolicyOptions): Promise<{ version?: string; warnings?: string[]; problems?: string[] }> {
  try {
    const loaded = await loadPolicyDir(options);
    return { version: loaded.policy.version, warnings: loaded.warnings };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems.map(formatProblem) };
    throw error;
  }
}

describe("policy files checked on a worker thread", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const offThread = checkPolicyFilesOffThread();

  it.each([
    ["valid files", {}],
    ["an unknown model and a misspelt key", { "routing.yaml": "version: 1\nrules:\n  - name: r\n    when: { tenant: a }\n    then: { route: nosuchmodel }\n    thne: {}\ndefault: { route: cloud }\n" }],
    ["broken YAML in intents.yaml", { "intents.yaml": "intents: [unclosed\n" }],
    ["a classifier label intents.yaml lacks", {}, ["greeting", "renamed_intent"]],
  ])("gives the result the serving thread gives: %s", async (_label, files: Record<string, string>, labels?: string[]) => {
    const dir = await policyDir(files);
    cleanup.push(dir.remove);
    const here = await outcome({ dir: dir.dir, labels });
    const there = await outcome({ dir: dir.dir, labels, check: offThread });
    expect(there).toEqual(here);
    if (Object.keys(files).length > 0) expect(there.problems?.length).toBeGreaterThan(0);
  });

  it("keeps the event loop running while a large intents.yaml parses", async () => {
    const input = inputOf(flowListIntents(45_000));
    let here: ReturnType<typeof checkPolicyFiles> | undefined;
    const stallHere = await longestStall(async () => (here = checkPolicyFiles(input)));
    let there: ReturnType<typeof checkPolicyFiles> | undefined;
    const stallThere = await longestStall(async () => (there = await offThread(input)));
    expect(there).toEqual(here);
    expect(there?.problems).toEqual([]);
    // On this thread the parse holds the loop for its whole length; on a worker, for moments.
    expect(stallThere).toBeLessThan(stallHere / 2);
  });

  it("a file whose parse outgrows the worker's memory fails the check, not the gateway", async () => {
    // ~0.95 MB, within intents.yaml's 1 MiB; its parse needs 32-64 MiB of heap.
    const input = inputOf(flowListIntents(45_000));
    const tight = checkPolicyFilesOffThread({ maxHeapMb: 24 });
    const error = await tight(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const [problem] = (error as ConfigError).problems;
    expect(problem?.file).toBe("policies/intents.yaml");
    expect(problem?.message).toMatch(/^checking the policy files, this one the largest, needed more than the 24 MiB of memory allowed/);
    // The limit, not the worker's own needs: a small file checks within it, and the process is unharmed.
    expect((await tight(inputOf(flowListIntents(10)))).problems).toEqual([]);
  });

  it("a file of a quarter-million syntax errors fails the load with the count, not a stack overflow", async () => {
    const dir = await policyDir({ "routing.yaml": `version: 1\nrules: [${",".repeat(262_000)}]\n` });
    cleanup.push(dir.remove);
    const error = await loadPolicyDir({ dir: dir.dir, check: offThread }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const refused = error as ConfigError;
    // What crosses from the worker is capped; the message still counts every problem.
    expect(refused.problems.length).toBeLessThanOrEqual(1_000);
    expect(refused.problems[0]?.file).toBe(`${dir.dir}/routing.yaml`);
    const more = Number(/\.\.\. and (\d+) more problems$/.exec(refused.message)?.[1]);
    expect(more + 50).toBeGreaterThan(200_000);
  });

  it("policy check (the CLI, on the main thread) reports such a file by its count too, without a stack overflow", async () => {
    const dir = await policyDir({ "routing.yaml": `version: 1\nrules: [${",".repeat(262_000)}]\n` });
    cleanup.push(dir.remove);
    const error = await checkPolicyDir({ dir: dir.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const more = Number(/\.\.\. and (\d+) more problems$/.exec((error as ConfigError).message)?.[1]);
    expect(more + 50).toBeGreaterThan(200_000);
  });

  it("a signal stops a running check at once: it rejects with the signal's reason", async () => {
    const stopping = new AbortController();
    const check = checkPolicyFilesOffThread({ signal: stopping.signal })(inputOf(flowListIntents(40_000)));
    setTimeout(() => stopping.abort(new Error("the gateway is shutting down")), 50);
    await expect(check).rejects.toThrow("the gateway is shutting down");
    // Aborted already: no worker is started.
    await expect(checkPolicyFilesOffThread({ signal: stopping.signal })(inputOf(flowListIntents(10)))).rejects.toThrow("the gateway is shutting down");
  });

  it("answers a check of files it checked recently without a worker, and starts one for any change", async () => {
    const stopping = new AbortController();
    const check = checkPolicyFilesOffThread({ signal: stopping.signal });
    const first = await check(inputOf(flowListIntents(10)));
    // With its signal stopped, a check that needed a worker would reject at once.
    stopping.abort(new Error("no worker may start now"));
    expect(await check(inputOf(flowListIntents(10)))).toEqual(first);
    await expect(check(inputOf(flowListIntents(11)))).rejects.toThrow("no worker may start now");
    await expect(check({ ...inputOf(flowListIntents(10)), labels: ["greeting"] })).rejects.toThrow("no worker may start now");
  });

  it("a store reloading through it takes a valid edit and refuses a broken one, keeping the last good policy", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const store = await PolicyStore.open({ dir: dir.dir, log: memoryLogger().log, check: offThread });
    cleanup.push(async () => store.close());
    const first = store.version;
    await dir.write("intents.yaml", flowListIntents(2_000));
    expect((await store.reload("manual")).ok).toBe(true);
    const second = store.version;
    expect(second).not.toBe(first);
    await dir.write("routing.yaml", "version: 1\nrules: [\n");
    const refused = await store.reload("manual");
    expect(refused.ok).toBe(false);
    expect(store.version).toBe(second);
    expect(store.lastError?.message).toMatch(/routing\.yaml:\d+:\d+/);
  });
});
