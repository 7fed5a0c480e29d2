/**
 * Ops looking at `CLIENT LIST` on a shared Redis (or killing one kind of connection with `CLIENT KILL`)
 * saw every gateway connection named `switchyard-context`, the usage recorder's too: the two are told
 * apart by name now.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { startRedisServer } from "../support/redis-server.js";

const redis = await startRedisServer();
afterAll(() => redis.stop());
const cloud = fakeCloudGateway({ gateway: { env: { REDIS_URL: redis.url }, waitForModels: false } });

async function connectionNames(): Promise<string[]> {
  const admin = new Redis(redis.url);
  try {
    const list = (await admin.call("CLIENT", "LIST")) as string;
    return list
      .split("\n")
      .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? "")
      .filter((name) => name.startsWith("switchyard"))
      .sort();
  } finally {
    admin.disconnect();
  }
}

describe("the gateway's Redis connections", () => {
  it("are named by what they serve: the context store's and the usage recorder's", async () => {
    const answer = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": "names-1" },
      body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(answer.status).toBe(200);
    await expect.poll(async () => [...new Set(await connectionNames())], { timeout: 10_000 }).toEqual(["switchyard-context", "switchyard-usage"]);
  });
});
