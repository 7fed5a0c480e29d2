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
const ports = { requirepass: await freePort(), aclUser: await freePort() };
const servers: RedisServer[] = [];
beforeAll(async () => {
  servers.push(await startRedisServer(ports.requirepass, ["--requirepass", PASSWORD]));
  // An ACL user of its own, the default user off: only `gw` with its password gets in.
  servers.push(await startRedisServer(ports.aclUser, ["--user", "default", "off", "--user", "gw", "on", `>${PASSWORD}`, "~*", "&*", "+@all"]));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const gateways = {
  "a URL without credentials": fakeCloudGateway({
    gateway: { env: { REDIS_URL: `redis://127.0.0.1:${ports.requirepass}`, REDIS_PASSWORD: PASSWORD }, waitForModels: false },
  }),
  // ioredis reads a URL with a user as having a password too (an empty one).
  "a URL with its user only": fakeCloudGateway({
    gateway: { env: { REDIS_URL: `redis://gw@127.0.0.1:${ports.aclUser}`, REDIS_PASSWORD: PASSWORD }, waitForModels: false },
  }),
};

describe.each(Object.entries(gateways))("%s, REDIS_PASSWORD set", (_name, cloud) => {
  const chat = (content: string): Promise<Response> =>
    fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": "creds" },
      body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content }] }),
    });

  it("connects with the password: the store is ready and keeps the session", async () => {
    await expect.poll(async () => ((await (await fetch(`${cloud.gw.url}/readyz`)).json()) as { components: Record<string, { state: string }> }).components.context?.state).toBe("ready");
    expect((await chat("Remember the blue door.")).status).toBe(200);
    expect((await chat("Which door?")).status).toBe(200);
    const sent = cloud.fake.requests.at(-1)!.body as { messages: { content: string }[] };
    expect(sent.messages.map((m) => m.content)).toContain("Remember the blue door.");
  });
});
