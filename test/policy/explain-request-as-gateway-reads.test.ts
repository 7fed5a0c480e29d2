/**
 * `policy explain --request` reads the request file as `POST /v1/route` reads a body: a file the
 * gateway answers with a 400 — bytes that are not UTF-8 (a request saved as Latin-1), JSON nested past
 * the gateway's limit — is refused, exit 1, with the gateway's reason. Read leniently, it was
 * explained as routed (exit 0), predicting an answer the gateway never gives.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/api/parse-body.js";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const explain = (args: string[]) => {
  const io = capturedIO({ cwd: REPO, env: {}, stdin: "" });
  return { io, run: createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["explain", ...args, "--intent", "greeting", "--pii", "none"], io) };
};

describe("policy explain --request, read as the gateway reads a body", () => {
  let dir: Awaited<ReturnType<typeof policyDir>>;
  beforeAll(async () => {
    dir = await policyDir();
  });
  afterAll(() => dir?.remove());

  const request = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir.dir, name), bytes);
    return join(dir.dir, name);
  };

  it("refuses a request file that is not UTF-8", async () => {
    const file = await request("latin1.json", Buffer.from('{"model":"auto","messages":[{"role":"user","content":"caf\xe9"}]}', "latin1"));
    const { io, run } = explain(["--request", file, "--policy", dir.dir]);
    expect(await run).toBe(1);
    expect(io.err()).toContain(`${file}: The request body is not valid UTF-8`);
    expect(io.out()).toBe("");
  });

  it("refuses a request file nested deeper than the gateway takes", async () => {
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    const file = await request("deep.json", Buffer.from(`{"model":"auto","messages":[{"role":"user","content":"hi"}],"x":${deep}}`));
    const { io, run } = explain(["--request", file, "--policy", dir.dir]);
    expect(await run).toBe(1);
    expect(io.err()).toContain(`${file}: The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  });

  it("still reads a file saved with a byte order mark, as the gateway does", async () => {
    const file = await request("bom.json", Buffer.from('\ufeff{"model":"auto","messages":[{"role":"user","content":"hello"}]}'));
    const { io, run } = explain(["--request", file, "--policy", dir.dir]);
    expect(await run).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ route: expect.any(String) });
  });
});
