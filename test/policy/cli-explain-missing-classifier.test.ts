/**
 * `policy explain --classifier <dir>` with a folder that is no model explains without an intent and
 * says so (docs/POLICIES.md): it is a what-if tool, unlike `policy check`, which fails on such a folder.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

const SHIPPED = resolve(import.meta.dirname, "../../policies");

describe("policy explain --classifier <missing folder>", { timeout: 60_000 }, () => {
  it("explains without an intent and notes why", async () => {
    const request = join(tmpdir(), `switchyard-explain-${process.pid}.json`);
    await writeFile(request, JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] }));
    const missing = join(tmpdir(), "switchyard-explain-no-such-model");
    const { code, stdout, stderr } = await runCliProcess(["policy", "explain", "--request", request, "--policy", SHIPPED, "--classifier", missing, "--pii", "none"]);
    expect(stderr).toContain("note: no intent classifier");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ intent: null });
  });
});
