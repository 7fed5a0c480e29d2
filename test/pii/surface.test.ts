import { execFile } from "node:child_process";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { piiRoutes } from "../../routes/pii.js";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { piiCommand } from "../../src/pii/cli.js";
import { defaultPolicy } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const post = (body: string, deps: Partial<Parameters<typeof piiRoutes>[0]> = {}) =>
  piiRoutes({ engine, ...deps }).request("/v1/pii/scan", { method: "POST", body, headers: { "content-type": "application/json" } });

describe("POST /v1/pii/scan", () => {
  it("answers with the entities and their offsets", async () => {
    const text = "Mail ann.lee@example.com, call +1 415-555-0132";
    const response = await post(JSON.stringify({ text }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      entities: [
        { type: "EMAIL_ADDRESS", start: 5, end: 24, score: 1 },
        { type: "PHONE_NUMBER", start: 31, end: 46, score: expect.any(Number) },
      ],
    });
  });

  it.each([
    ["not JSON", "{", "invalid_json", null],
    ["a missing text", "{}", "invalid_value", "text"],
    ["a text that is not a string", '{"text":42}', "invalid_value", "text"],
    ["an array body", "[]", "invalid_json", null],
  ])("rejects %s with an OpenAI-shaped 400", async (_, body, code, param) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code, param } });
  });

  it("caps the text length", async () => {
    const response = await post(JSON.stringify({ text: "x".repeat(101) }), { maxTextChars: 100 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: "text", code: "invalid_value" } });
  });

  it("answers 503 when the scan overruns its budget, without the text", async () => {
    const text = "ann.lee@example.com +1 415-555-0132 ".repeat(20_000);
    const response = await post(JSON.stringify({ text }), { budgetMs: 0.001, maxTextChars: 1_000_000 });
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: "pii_scan_failed", type: "server_error" } });
    expect(body).not.toContain("ann.lee");
  });
});

describe("pii CLI", () => {
  it("scans stdin in-process and writes JSON entities", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdin.end("IBAN DE89 3704 0044 0532 0130 00");
    let out = "";
    stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await piiCommand.run(["scan"], { stdin, stdout, stderr, env: {}, cwd: process.cwd() });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ entities: [{ type: "IBAN_CODE", start: 5, end: 32, score: 1 }] });
  });

  it("reports a broken policy file with its path and exit code 1", async () => {
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {}, cwd: process.cwd() };
    expect(await piiCommand.run(["scan", "--policy", "no/such/pii.yaml"], io)).toBe(1);
    expect(err).toContain("no/such/pii.yaml");
  });

  it("runs as a real subprocess: npx tsx src/main.ts pii scan", async () => {
    const run = promisify(execFile);
    const child = run("npx", ["tsx", "src/main.ts", "pii", "scan"], { cwd: process.cwd(), timeout: 60_000 });
    child.child.stdin!.end("ssh from 10.1.2.3 as ann.lee@example.com");
    const { stdout } = await child;
    expect(JSON.parse(stdout)).toEqual({
      entities: [
        { type: "IP_ADDRESS", start: 9, end: 17, score: expect.any(Number) },
        { type: "EMAIL_ADDRESS", start: 21, end: 40, score: 1 },
      ],
    });
  });
});
