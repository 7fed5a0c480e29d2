/**
 * `policy explain` scans the same texts for PII as a request's egress does, the arguments of the
 * calls a conversation holds included (`tool_calls` and the deprecated `function_call`): a secret
 * there makes a `pii_found: SECRET` rule fire, as it does in the gateway; so does one in a function
 * definition (`tools` or the deprecated `functions`).
 */
import { copyFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const SECRET = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
/** A local model that takes tools, so the rule's local route can serve a conversation holding calls. */
const MODELS = `
providers:
  pool: { type: openai_compatible, base_url: "http://127.0.0.1:9/v1", location: local }
  openai: { type: openai_compatible, base_url: "http://127.0.0.1:9/v1" }
models:
  pool-8k:
    provider: pool
    context_window: 8192
    capabilities: { tools: true, json_schema: true, vision: false }
  gpt-4o-mini:
    provider: openai
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
defaults: { local: pool-8k, cloud: gpt-4o-mini }
`;
const ROUTING = `
version: 1
rules:
  - { name: secrets-stay-local, when: { pii_found: [SECRET] }, then: { route: local, pii: keep_local, pin: true } }
default: { route: cloud }
`;

const io = () => capturedIO({ cwd: REPO, stdin: "" });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

type Explained = { rule: string; route: string; features: { piiTypes: string[] } };

async function explain(call: object, result: object): Promise<Explained> {
  return explainRequest({ model: "auto", messages: [{ role: "user", content: "Store my credentials" }, call, result, { role: "user", content: "Thanks" }] });
}

async function explainRequest(request: object): Promise<Explained> {
  const dir = await policyDir({ "models.yaml": MODELS, "routing.yaml": ROUTING, "request.json": JSON.stringify(request) });
  cleanup.push(dir.remove);
  await copyFile(join(REPO, "policies", "pii.yaml"), join(dir.dir, "pii.yaml"));
  const cli = io();
  expect(await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["explain", "--request", join(dir.dir, "request.json"), "--policy", dir.dir], cli)).toBe(0);
  return JSON.parse(cli.out()) as Explained;
}

describe("policy explain with a secret in a call's arguments", () => {
  it("finds it in a function_call and keeps the request local", async () => {
    const out = await explain(
      { role: "assistant", content: null, function_call: { name: "save", arguments: JSON.stringify({ key: SECRET }) } },
      { role: "function", name: "save", content: "saved" },
    );
    expect(out).toMatchObject({ rule: "secrets-stay-local", route: "local" });
    expect(out.features.piiTypes).toContain("SECRET");
  });

  it("finds it in a tool call and keeps the request local", async () => {
    const out = await explain(
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "save", arguments: JSON.stringify({ key: SECRET }) } }] },
      { role: "tool", tool_call_id: "call_1", content: "saved" },
    );
    expect(out).toMatchObject({ rule: "secrets-stay-local", route: "local" });
    expect(out.features.piiTypes).toContain("SECRET");
  });
});

// The gateway's egress scan covers function definitions, whichever parameter offers them.
describe("policy explain with a secret in a function definition", () => {
  const messages = [{ role: "user", content: "Store my credentials" }];
  const definition = { name: "save", description: `Authenticates with ${SECRET}.` };

  it("finds it in functions and keeps the request local", async () => {
    const out = await explainRequest({ model: "auto", messages, functions: [definition] });
    expect(out).toMatchObject({ rule: "secrets-stay-local", route: "local" });
    expect(out.features.piiTypes).toContain("SECRET");
  });

  it("finds it in tools and keeps the request local", async () => {
    const out = await explainRequest({ model: "auto", messages, tools: [{ type: "function", function: definition }] });
    expect(out).toMatchObject({ rule: "secrets-stay-local", route: "local" });
    expect(out.features.piiTypes).toContain("SECRET");
  });
});
