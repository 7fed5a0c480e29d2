/**
 * A policy reload parses the files on a worker thread, so the gateway keeps answering requests while
 * a large intents.yaml (up to its 1 MiB limit) parses: on the serving thread such a file held every
 * request for the parse's whole length (~2 s for 1 MB written as one flow list).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIntents } from "../../src/policy/check-files.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";

/** The longest the event loop went without running a 5 ms timer while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe("a policy reload off the serving thread", { timeout: 60_000 }, () => {
  let fake: FakeOpenAI;
  let gw: TestGateway;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), env: { SWITCHYARD_ADMIN_KEY: ADMIN } });
  });
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  it("does not hold the event loop while a large intents.yaml parses, and takes the file", async () => {
    const path = join(gw.policyDir, "intents.yaml");
    const examples = Array.from({ length: 40_000 }, (_, i) => `bulk example ${i}`).join(", ");
    const large = (await readFile(path, "utf8")).replace(
      /^intents:\n/m,
      `intents:\n  bulk_examples:\n    route: local\n    description: many examples in one flow list\n    examples: [${examples}]\n`,
    );
    expect(large.length).toBeGreaterThan(700_000);
    // What the same parse costs on this thread, in this run (the second time: the first warms it up).
    parseIntents(path, large);
    const started = performance.now();
    parseIntents(path, large);
    const parseHere = performance.now() - started;

    const versionBefore = gw.gateway.policies.version;
    await writeFile(path, large);
    let status = 0;
    const stall = await longestStall(async () => {
      const response = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
      status = response.status;
      await response.arrayBuffer();
    });
    expect(status).toBe(200);
    expect(gw.gateway.policies.version).not.toBe(versionBefore);
    expect(stall).toBeLessThan(parseHere / 3);
  });
});
