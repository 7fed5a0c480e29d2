/**
 * `npm start`'s code path as a real process: it starts on the embedded defaults, refuses a bad
 * configuration with a message naming the field, and on SIGTERM finishes in-flight requests before
 * exiting cleanly.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServe, type ServeProcess } from "../support/cli-process.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { testModelsYaml, writePolicyDir } from "../support/gateway.js";
import { freePort } from "../support/redis-server.js";
import { until } from "../support/until.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** `serve` with `env`, killed at the end of the file's tests if still running. */
function serve(env: Record<string, string>): ServeProcess {
  const started = spawnServe(env);
  cleanups.push(started.kill);
  return started;
}

// Each test starts a real process (TypeScript loader, classifier, PII engine, model): slow on a busy host.
describe("switchyard serve (process)", { timeout: 90_000 }, () => {
  it("starts on the shipped defaults and reports why the local model is not ready", async () => {
    const { child, listening, exited } = serve({});
    const url = await listening;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    let components: Record<string, { state: string; detail: string }> = {};
    // Finding out that the model file is missing starts llama.cpp first, which takes seconds on a busy machine.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const body = (await (await fetch(`${url}/readyz`)).json()) as { components: typeof components };
      components = body.components;
      if (components["provider:local"]?.state !== "loading") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(components["provider:local"]).toMatchObject({ state: "unavailable" });
    expect(components["provider:local"]?.detail).toContain("local.gguf");
    expect(components["provider:openai"]).toMatchObject({ state: "unavailable", detail: "OPENAI_API_KEY is not set" });
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("refuses to start on an invalid configuration, naming the field", async () => {
    const { exited, output } = serve({ PORT: "not-a-port" });
    expect((await exited).code).toBe(1);
    expect(output()).toContain("environment: PORT:");
  });

  /** A gateway process with a slow cloud stream (10 chunks, 80 ms apart) in flight through it. */
  async function streamInFlight() {
    const fake: FakeOpenAI = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: fake.baseURL }) });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { child, exited, listening } = serve({ SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k" });
    const url = await listening;
    fake.script({ kind: "stream", chunks: 10, delayMs: 80 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cloud", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    return { child, exited, url, response };
  }

  it("on SIGTERM finishes the in-flight request, then exits 0", async () => {
    const { child, exited, url, response } = await streamInFlight();
    child.kill("SIGTERM");
    const text = await response.text();
    expect(text).toContain("w9 ");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect((await exited).code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("a second SIGTERM during the drain does not cut the in-flight request short", async () => {
    // Supervisors (and `docker stop` scripts) repeat SIGTERM; only SIGKILL should skip the drain.
    const { child, exited, response } = await streamInFlight();
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGTERM"), 150);
    const text = await response.text();
    expect(text).toContain("w9 ");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    // Killed by the default SIGTERM action, the process would report code null.
    expect((await exited).code).toBe(0);
  });

  /**
   * A gateway whose stdout refuses every log line: `> /dev/full` (a log file on a full disk, ENOSPC) or
   * a pipe whose reader has gone (EPIPE). It must still serve, say so once on stderr, and stop on SIGTERM.
   */
  async function serveWithBrokenStdout(stdout: "full" | "closed"): Promise<{ stderr: string; exitCode: number | null }> {
    const port = await freePort();
    const full = stdout === "full" ? openSync("/dev/full", "w") : undefined;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port) },
      stdio: ["ignore", full ?? "pipe", "pipe"],
    });
    if (full !== undefined) closeSync(full);
    else child.stdout?.destroy();
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200;
    await until(healthy, 60_000, 100);
    // The first log lines are written after start-up, asynchronously.
    await until(() => stderr.includes("\n"), 10_000);
    child.kill("SIGTERM");
    // Read after the exit: a second line written at shutdown (the exit flush) must show.
    const exitCode = await exited;
    return { stderr, exitCode };
  }

  it.runIf(existsSync("/dev/full"))("with stdout on a full disk, serves, says so once on stderr and exits 0 on SIGTERM", async () => {
    // Before, the failed log write was an uncaught exception whose exit flush retried forever: the
    // process hung without listening and ignored SIGTERM.
    const { stderr, exitCode } = await serveWithBrokenStdout("full");
    expect(stderr).toMatch(/^switchyard: cannot write logs to stdout \(ENOSPC\)[^\n]*\n$/);
    expect(exitCode).toBe(0);
  });

  it("with its log reader gone, serves, says so once on stderr and exits 0 on SIGTERM", async () => {
    // pino dropped the lines without a word.
    const { stderr, exitCode } = await serveWithBrokenStdout("closed");
    expect(stderr).toMatch(/^switchyard: cannot write logs to stdout \(EPIPE\)[^\n]*\n$/);
    expect(exitCode).toBe(0);
  });
});
