/**
 * With `context_storage: sanitized` the store holds placeholders (`<PERSON_1>`), "restored when loaded"
 * (pii.yaml). `GET /v1/sessions/{id}` is a load too: the client reads back what it sent and received,
 * restored through the session's vault as the pipeline restores it (message `name` aliases included),
 * while the store itself still holds only placeholders. On the in-memory store and on Redis alike.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, SHIPPED_POLICIES } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

const SYSTEM = "You assist Olga Petrova (olga.petrova@example.com) with her invoices.";
const SENT = "Please email John Smith at john.smith@example.com about the invoice.";
const NAME = "Maria Gonzalez";

const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8"))
  .replace(/^context_storage: raw/m, "context_storage: sanitized")
  // A loaded test machine must not turn the scan into a failure.
  .replace(/^( {2}budget_ms:) \d+/m, "$1 5000");

describe.each(sessionBackends())("GET /v1/sessions/{id} of a sanitized session ($backend store)", ({ backend, env }) => {
  const cloud = fakeCloudGateway({ fake: { echo: true }, models: { maxRetries: 2 }, gateway: { files: { "pii.yaml": pii }, env, waitForModels: false } });

  it("returns what the client sent and received, not the stored placeholders", async () => {
    const session = `restored-${randomUUID()}`;
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({
        model: "cloud",
        messages: [
          { role: "system", content: SYSTEM },
          { role: "user", name: NAME, content: SENT },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const answer = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    expect(answer).toBe(SENT);
    // What left the host was pseudonymized, so the stored form holds placeholders.
    const upstream = cloud.fake.requests.at(-1)!.raw.toString();
    expect(upstream).toContain("<EMAIL_ADDRESS_");
    expect(upstream).not.toContain("john.smith@example.com");

    const read = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    expect(read.status).toBe(200);
    const { messages } = (await read.json()) as { messages: { role: string; name?: string; content: string }[] };
    expect(messages.map(({ role, name, content }) => ({ role, content, ...(name ? { name } : {}) }))).toEqual([
      { role: "system", content: SYSTEM },
      { role: "user", name: NAME, content: SENT },
      { role: "assistant", content: SENT },
    ]);

    if (backend === "redis") {
      // Restored for the reader only: the store still keeps the placeholders, never the values.
      const redis = new Redis(env.REDIS_URL!);
      try {
        const [list] = await redis.keys(`*{*:${session}}:t`);
        const turns = (await redis.lrange(list!, 0, -1)).join("\n");
        expect(turns).toContain("<EMAIL_ADDRESS_");
        expect(turns).not.toContain("john.smith@example.com");
        expect(turns).not.toContain("Gonzalez");
      } finally {
        redis.disconnect();
      }
    }
  });
});
