/**
 * An invalid policy edit keeps the last good version serving, and `/readyz` — what ops and
 * orchestrators look at first — says so: a `policy` component naming the version serving and, after a
 * failed reload, which file failed and where the problems are listed. It stays ready (the gateway
 * answers with the last good policy), and, being unauthenticated, shows no path or problem text.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";

const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_ADMIN_KEY: ADMIN } } });

interface Readyz {
  status: string;
  components: Record<string, { state: string; detail: string }>;
}
const readyz = async (): Promise<{ status: number; body: Readyz }> => {
  const response = await fetch(`${cloud.gw.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readyz };
};
const reload = () => fetch(`${cloud.gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });

it("names the policy serving, and after an invalid edit which file failed, staying ready", { timeout: 60_000 }, async () => {
  const routing = join(cloud.gw.policyDir, "routing.yaml");
  const original = await readFile(routing, "utf8");
  const before = await readyz();
  const version = (await (await fetch(`${cloud.gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { version: string };
  expect(before.body.components.policy).toEqual({ state: "ready", detail: `routing policy ${version.version}` });

  await writeFile(routing, "version: 1\ndefault: { route: secret-model-name }\n");
  try {
    expect((await reload()).status).toBe(422);
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.status).toBe("ready");
    const policy = after.body.components.policy!;
    expect(policy.state).toBe("ready");
    expect(policy.detail).toContain(`routing policy ${version.version} serving`);
    expect(policy.detail).toContain("the last reload (admin,");
    expect(policy.detail).toContain("failed: routing.yaml invalid (1 problem)");
    expect(policy.detail).toContain("GET /admin/policies");
    // Unauthenticated: neither the folder nor the problem's text.
    expect(policy.detail).not.toContain(cloud.gw.policyDir);
    expect(policy.detail).not.toContain("secret-model-name");
  } finally {
    await writeFile(routing, original);
  }
  expect((await reload()).status).toBe(200);
  expect((await readyz()).body.components.policy).toEqual({ state: "ready", detail: `routing policy ${version.version}` });
});

it("counts every problem of an invalid file, past the 50 the log and admin API list", { timeout: 60_000 }, async () => {
  const routing = join(cloud.gw.policyDir, "routing.yaml");
  const original = await readFile(routing, "utf8");
  const rules = Array.from({ length: 60 }, (_, i) => `  - { name: r${i}, when: { intent: [greeting_smalltalk] }, then: { route: missing-model-${i} } }`).join("\n");
  await writeFile(routing, `version: 1\ndefault: { route: cloud }\nrules:\n${rules}\n`);
  try {
    expect((await reload()).status).toBe(422);
    const status = (await (await fetch(`${cloud.gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { lastError: { problems: unknown[]; problemCount: number } };
    expect(status.lastError.problems).toHaveLength(50);
    expect(status.lastError.problemCount).toBe(60);
    expect((await readyz()).body.components.policy!.detail).toContain("failed: routing.yaml invalid (60 problems)");
  } finally {
    await writeFile(routing, original);
  }
  expect((await reload()).status).toBe(200);
});
