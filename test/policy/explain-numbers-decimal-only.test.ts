/**
 * `policy explain`'s number flags read numbers as the environment does: decimal digits only. `Number()`
 * took a blank `--sticky gpt-4o: ` as 0 turns and `--local-queue 0x10` as 16, explaining a state the
 * operator never typed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/command.js";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";

const REPO = resolve(import.meta.dirname, "../..");
const SHIPPED = join(REPO, "policies");

let dir: string;
let request: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-explain-numbers-"));
  request = join(dir, "request.json");
  await writeFile(request, JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] }));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const explain = (...flags: string[]) => {
  const io = capturedIO({ cwd: REPO, env: {} });
  return { io, run: createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["explain", "--request", request, "--policy", SHIPPED, "--pii", "none", ...flags], io) };
};

describe("policy explain's number flags", () => {
  it.each([
    ["--sticky", "gpt-4o: :faq"],
    ["--sticky", "gpt-4o:0x2"],
    ["--local-queue", " "],
    ["--local-queue", "1e1"],
    ["--confidence", " "],
    ["--confidence", "0x1"],
  ])("refuses %s '%s'", async (flag, value) => {
    const flags = flag === "--confidence" ? ["--intent", "faq", flag, value] : [flag, value];
    await expect(explain(...flags).run).rejects.toThrow(UsageError);
  });

  it("still reads decimal values", async () => {
    const { io, run } = explain("--intent", "faq", "--confidence", "0.5", "--sticky", "gpt-4o:2:faq", "--local-queue", "3");
    expect(await run).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ intent: "faq", confidence: 0.5 });
  });
});
