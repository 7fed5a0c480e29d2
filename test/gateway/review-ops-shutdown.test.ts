/**
 * Graceful shutdown past its deadline, and on SIGINT: a stream that outlives
 * SWITCHYARD_SHUTDOWN_TIMEOUT_MS is ended at the deadline (its last event the shutdown's error) and
 * the process still exits 0.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServe } from "../support/cli-process.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { testModelsYaml, writePolicyDir } from "../support/gateway.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A `serve` child once it listens; `exited` also gives its output. */
async function serve(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; url: string; exited: Promise<{ code: number | null; signal: string | null; out: string }> }> {
  const started = spawnServe(env);
  cleanups.push(started.kill);
  const url = await started.listening;
  return { child: started.child, url, exited: started.exited.then((end) => ({ ...end, out: started.output() })) };
}

describe("switchyard serve shutdown", { timeout: 90_000 }, () => {
  let fake: FakeOpenAI;
  let dir: string;
  const start = async (env: Record<string, string> = {}) => {
    fake ??= await startFakeOpenAI();
    if (!dir) {
      dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: fake.baseURL, timeoutMs: 60_000 }) });
      cleanups.push(() => fake.close(), () => rm(dir, { recursive: true, force: true }));
    }
    return serve({ SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k", ...env });
  };
  const streamSlowly = (url: string) => {
    fake.script({ kind: "stream", chunks: 100, delayMs: 200 });
    return fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cloud", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
  };

  it("ends a stream that outlives the deadline with a shutting_down error event and exits 0", async () => {
    const { child, url, exited } = await start({ SWITCHYARD_SHUTDOWN_TIMEOUT_MS: "1000" });
    const response = await streamSlowly(url);
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    const text = await response.text();
    // Ended, not cut: an error event the OpenAI SDK raises, not a stream that stops without a sign.
    expect(text.trim().split("\n\n").at(-1)).toMatch(/^data: \{"error":\{.*"code":"shutting_down"/);
    expect(text).not.toContain("data: [DONE]");
    // Cut at the deadline, not streamed to its end (100 chunks, 20 s): not a wall-clock bound, which a
    // loaded machine overran.
    expect(text.split('"content":').length - 1).toBeLessThan(100);
    const { code, out } = await exited;
    expect(code).toBe(0);
    expect(out).toContain("shutdown deadline reached");
  });

  it("SIGINT drains like SIGTERM", async () => {
    const { child, url, exited } = await start();
    fake.script({ kind: "stream", chunks: 5, delayMs: 100 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cloud", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    child.kill("SIGINT");
    const text = await response.text();
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect((await exited).code).toBe(0);
  });
});
