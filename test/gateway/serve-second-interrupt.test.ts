/**
 * An operator's second Ctrl-C skips the drain: the process exits at once. Usage records still buffered
 * (Redis down) are then lost; the log says how many, as a shutdown that ran out of time does.
 */
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServe } from "../support/cli-process.js";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { testModelsYaml, writePolicyDir } from "../support/gateway.js";
import { startRedisServer } from "../support/redis-server.js";
import { until } from "../support/until.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A `serve` child against the fake upstream and a real Redis, once it listens. */
async function startServe() {
  const fake = await startFakeOpenAI();
  cleanups.push(() => fake.close());
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: fake.baseURL }) });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const serve = spawnServe({ SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k", REDIS_URL: redis.url });
  cleanups.push(serve.kill);
  const url = await serve.listening;
  /** Two Ctrl-Cs, the second once the first is logged; the second's log line. */
  const interruptTwice = async () => {
    serve.child.kill("SIGINT");
    await until(async () => serve.output().includes('"shutting down"'), 10_000, 20);
    serve.child.kill("SIGINT");
    expect((await serve.exited).code).toBe(130);
    const line = serve.output().split("\n").find((l) => l.includes("second interrupt"));
    expect(line).toBeDefined();
    return JSON.parse(line!) as Record<string, unknown>;
  };
  return { fake, redis, url, interruptTwice };
}

describe("switchyard serve, interrupted twice", { timeout: 90_000 }, () => {
  it("logs how many usage records the immediate exit loses", async () => {
    const { redis, url, interruptTwice } = await startServe();

    await redis.stop();
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(answer.status).toBe(200);
    }
    // The recorder holds both records: Redis refuses every write now.
    await until(async () => /switchyard_usage_records_buffered 2\b/.test(await (await fetch(`${url}/metrics`)).text()), 10_000, 50);

    expect(await interruptTwice()).toMatchObject({ usageRecordsLost: 2 });
  });

  it("counts a stream still being written once: running, not also unrecorded", async () => {
    const { fake, url, interruptTwice } = await startServe();
    let resume!: () => void;
    fake.script({ kind: "stream", chunks: 3, delayMs: 0, pausedUntil: new Promise<void>((resolve) => (resume = resolve)) });
    cleanups.push(async () => resume());
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cloud", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(200);
    // The first delta has reached the client: the stream runs, paused upstream.
    const reader = answer.body!.getReader();
    let seen = "";
    while (!seen.includes("w0")) seen += new TextDecoder().decode((await reader.read()).value);

    expect(await interruptTwice()).toMatchObject({ requestsRunning: 1, requestsUnrecorded: 0 });
  });
});
