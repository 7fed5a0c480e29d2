/**
 * A routing.yaml rule with `pii: hash` while SWITCHYARD_PII_HASH_KEY is unset: start-up fails naming
 * the variable (docs/PII.md), and a reload to such a rule is refused and keeps the previous policy —
 * rather than every matching request with personal data failing 503 pii_scan_failed.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/app.js";
import { loadGatewayConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/logging.js";
import { testModelsYaml, writePolicyDir } from "../support/gateway.js";

const HASHING = "version: 1\nrules:\n  - name: hash-to-cloud\n    when: { pii_found: any }\n    then: { route: cloud, pii: hash }\ndefault: { route: cloud }\n";
const silent = () => createLogger("silent", new Writable({ write: (_c, _e, done) => done() }));

const dirs: string[] = [];
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function open(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), ...files });
  dirs.push(dir);
  const config = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k", LOG_LEVEL: "silent", ...env }, process.cwd());
  return { dir, start: () => createGateway(config, { log: silent(), watchPolicies: false }) };
}

describe("pii: hash without the hash key", { timeout: 60_000 }, () => {
  it("fails start-up at the rule's line, naming the variable", async () => {
    const { dir, start } = await open({ "routing.yaml": HASHING });
    await expect(start()).rejects.toThrow(`${join(dir, "routing.yaml")}:5:32: rules[0].then.pii: \`hash\` needs an HMAC key, but SWITCHYARD_PII_HASH_KEY`);
  });

  it("starts when the variable is set", async () => {
    const { start } = await open({ "routing.yaml": HASHING }, { SWITCHYARD_PII_HASH_KEY: "a-secret" });
    gateway = await start();
    expect(gateway.policies.status().rules).toBe(1);
  });

  it("refuses a reload to such a rule and keeps the previous policy", async () => {
    const { dir, start } = await open({});
    gateway = await start();
    const before = gateway.policies.version;
    await writeFile(join(dir, "routing.yaml"), HASHING);
    const result = await gateway.reloadPolicies();
    expect(result).toMatchObject({ ok: false, version: before });
    expect(gateway.policies.status().lastError?.message).toMatch(/rules\[0\]\.then\.pii: `hash` needs an HMAC key, but SWITCHYARD_PII_HASH_KEY/);
  });
});
