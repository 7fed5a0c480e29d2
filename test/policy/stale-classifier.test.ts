/**
 * A classifier label with no intents.yaml entry has no default route: when routing.yaml routes by
 * intent, its requests would quietly take `unclassified_route` — what renaming an intent in
 * intents.yaml without retraining the classifier does (billing, route local, went to the cloud). The
 * folder is refused then, at start-up, reload and `policy check`; without intent routing it is a warning.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { policyDir } from "./support.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function problems(load: Promise<unknown>): Promise<string[]> {
  const error = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map(formatProblem);
}

describe("classifier labels without an intents.yaml entry", () => {
  it("are a problem when routing.yaml routes by intent, naming each label and the fix", async () => {
    // intents.yaml has greeting and code; the classifier was trained on greeting and billing.
    const dir = await policyDir();
    cleanup.push(dir.remove);
    expect(await problems(loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code", "billing"] }))).toEqual([
      `${join(dir.dir, "intents.yaml")}: intents: classifier label 'billing' has no entry, so its requests would take unclassified_route (cloud) although routing.yaml routes by intent; retrain the classifier on this file (a renamed intent?; the gateway takes the retrained classifier with this file at its next policy reload), or add the intent`,
    ]);
  });

  it("are a warning when routing.yaml does not read intents' routes", async () => {
    const dir = await policyDir({ "routing.yaml": "version: 1\nrules:\n  - { name: c, when: { intent: code }, then: { route: cloud } }\ndefault: { route: local }\n" });
    cleanup.push(dir.remove);
    const { warnings } = await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code", "billing"] });
    expect(warnings).toContain(`${join(dir.dir, "intents.yaml")}: classifier label 'billing' has no entry (no default route); retrain the classifier on this file, or add the intent`);
  });

  it("pass when every label has an entry", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    expect((await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code"] })).warnings).toEqual([]);
  });
});
