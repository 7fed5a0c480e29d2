/**
 * `REDIS_USERNAME` / `REDIS_PASSWORD` keep Redis credentials out of the URL, and also apply to a
 * `REDIS_URL` that carries none (compose sets `REDIS_URL=redis://redis:6379`; the password comes from a
 * secret store). They used to be read for Sentinel and Cluster only: a password-protected Redis behind
 * a plain URL answered NOAUTH, the context store stayed unreachable and sessions were not kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { freePort, startRedisServer, type RedisServer } from "../support/redis-server.js";

const PASSWORD = "s3cret-for-redis-url-test";
const redisPort = await freePort();
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer(redisPort, ["--requirepass", PASSWORD]);
});
afterAll(async () => {
  await redis?.stop();
});

const cloud = fakeCloudGateway({
  gateway: { env: { REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PASSWORD: PASSWORD }, waitForModels: false },
});

function chat(content: string, session: string): Promise<Response> {
  return fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content }] }),
  });
}

describe("a Redis URL without credentials, REDIS_PASSWORD set", () => {
  it("connects with the password: the store is ready and keeps the session", async () => {
    await expect.poll(async () => ((await (await fetch(`${cloud.gw.url}/readyz`)).json()) as { components: Record<string, { state: string }> }).components.context?.state).toBe("ready");
    expect((await chat("Remember the blue door.", "creds")).status).toBe(200);
    expect((await chat("Which door?", "creds")).status).toBe(200);
    const sent = cloud.fake.requests.at(-1)!.body as { messages: { content: string }[] };
    expect(sent.messages.map((m) => m.content)).toContain("Remember the blue door.");
  });
});
