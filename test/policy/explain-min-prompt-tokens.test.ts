/**
 * `policy explain` and the gateway size a long conversation alike: a target whose window cannot hold
 * the whole conversation but can hold what must be sent (the instructions and the newest turn; older
 * turns are trimmed) still serves it. The CLI used to pass no `minPromptTokens`, so it said "prompt of
 * N tokens does not fit context window 4096" and named the cloud where the gateway answers locally.
 */
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const io = () => capturedIO({ cwd: resolve(import.meta.dirname, "../.."), stdin: "" });

const ROUTING = "version: 1\nrules: []\ndefault: { route: local, fallbacks: [cloud] }\n";
const OLD_TURN = "Tell me more about the history of the lighthouse keepers on the northern coast. ".repeat(12);

function conversation(turns: number) {
  const messages: { role: string; content: string }[] = [{ role: "system", content: "You are a helpful assistant." }];
  for (let i = 0; i < turns; i++) messages.push({ role: "user", content: OLD_TURN }, { role: "assistant", content: OLD_TURN });
  messages.push({ role: "user", content: "And in one line?" });
  return { model: "auto", messages };
}

describe("policy explain: what must be sent decides the context-window skip, as in the gateway", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function explain(body: unknown, ...flags: string[]) {
    const dir = await policyDir({ "routing.yaml": ROUTING, "request.json": JSON.stringify(body) });
    cleanup.push(dir.remove);
    const cli = io();
    const code = await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(
      ["explain", "--request", join(dir.dir, "request.json"), "--policy", dir.dir, "--pii", "none", ...flags],
      cli,
    );
    expect(code).toBe(0);
    return JSON.parse(cli.out()) as { route: string; model: string; reasons: string[]; features: { promptTokens: number; minPromptTokens?: number } };
  }

  it("a long conversation whose newest turn fits the local window is answered locally (older turns trimmed)", async () => {
    const out = await explain(conversation(20));
    expect(out.features.promptTokens).toBeGreaterThan(4096);
    expect(out.features.minPromptTokens).toBeLessThan(100);
    expect(out).toMatchObject({ route: "local", model: "local-slm" });
    expect(out.reasons.join("\n")).not.toMatch(/does not fit context window/);
  });

  it("--prompt-tokens sizes what must be sent in proportion: a lone message too large for the window still goes to the cloud", async () => {
    const lone = await explain({ model: "auto", messages: [{ role: "user", content: "hello" }] }, "--prompt-tokens", "20000");
    expect(lone).toMatchObject({ route: "cloud", model: "gpt-4o-mini", features: { promptTokens: 20000, minPromptTokens: 20000 } });
    const long = await explain(conversation(20), "--prompt-tokens", "20000");
    expect(long).toMatchObject({ route: "local", model: "local-slm" });
  });
});
