/**
 * An operator's second Ctrl-C skips the drain: the process exits at once. Usage records still buffered
 * (Redis down) are then lost; the log says how many, as a shutdown that ran out of time does.
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { testModelsYaml, writePolicyDir } from "../support/gateway.js";
import { startRedisServer } from "../support/redis-server.js";
import { until } from "../support/until.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("switchyard serve, interrupted twice", { timeout: 90_000 }, () => {
  it("logs how many usage records the immediate exit loses", async () => {
    const fake = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: fake.baseURL }) });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k", REDIS_URL: redis.url },
    });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await until(async () => /"url":"http:[^"]+"/.test(out), 60_000, 100);
    const url = /"url":"(http:[^"]+)"/.exec(out)![1]!;

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

    child.kill("SIGINT");
    await until(async () => out.includes('"shutting down"'), 10_000, 20);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const line = out.split("\n").find((l) => l.includes("second interrupt"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ usageRecordsLost: 2 });
  });
});
