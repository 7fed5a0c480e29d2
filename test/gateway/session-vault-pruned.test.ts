/**
 * The pseudonym vault kept with a session (placeholder ↔ value) holds only the values the stored
 * conversation still names. Turns are trimmed to `max_bytes`; a vault that kept every value ever named
 * grew until instructions + state exceeded the limit, and from then on every turn was dropped (the
 * save refused as `too_large`) while the vault kept the personal data of turns trimmed long ago.
 * Numbers are never reused: a value named after others were pruned gets the next number.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

const TURNS = 15;
const PER_TURN = 6;
const emails = (turn: number) => Array.from({ length: PER_TURN }, (_, k) => `customer${turn}x${k}@example${turn}.com`);

describe.each(sessionBackends())("the pseudonym vault of a long session ($backend store)", ({ backend, env }) => {
  const cloud = fakeCloudGateway({
    fake: { answer: "Done." },
    gateway: {
      // Fifteen saves in a row: a loaded test machine must not make one miss the 100 ms Redis bound.
      env: { ...env, SWITCHYARD_CONTEXT_MAX_BYTES: "4000", SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" },
      waitForModels: false,
    },
  });

  async function lastStoredUserTurn(session: string): Promise<string | undefined> {
    const response = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    const { messages } = (await response.json()) as { messages: { role: string; content: string }[] };
    return messages.filter((m) => m.role === "user").at(-1)?.content;
  }

  it("keeps only the values the kept turns name, so every turn is still stored", async () => {
    const session = `vault-${randomUUID()}`;
    for (let turn = 1; turn <= TURNS; turn++) {
      const content = `Turn ${turn}: forward the receipt to ${emails(turn).join(", ")}`;
      const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-session-id": session },
        body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content }] }),
      });
      expect(response.status).toBe(200);
      await response.text();
      // The save follows the answer: each turn is stored, none dropped as too large.
      await expect
        .poll(() => lastStoredUserTurn(session), { timeout: 5000, message: `turn ${turn} stored; ${cloud.gw.logs.filter((l) => l.includes("not saved")).join("\n")}` })
        .toBe(content);
    }
    expect(cloud.gw.logs.filter((line) => line.includes("too_large") || line.includes("exceed the context size limit"))).toEqual([]);

    // The last turn's values got the next numbers: none reused a pruned one.
    const upstream = cloud.fake.requests.at(-1)!.raw.toString();
    expect(upstream).toContain(`<EMAIL_ADDRESS_${TURNS * PER_TURN}>`);
    expect(upstream).not.toContain(`<EMAIL_ADDRESS_${TURNS * PER_TURN + 1}>`);
    expect(upstream).not.toContain("@example");

    if (backend === "redis") {
      const redis = new Redis(env.REDIS_URL!);
      try {
        const [meta] = await redis.keys(`*{*:${session}}:m`);
        const state = JSON.stringify(await redis.hgetall(meta!));
        // Turn 1 was trimmed long ago: its values left the vault; the last turn's are there.
        for (const email of emails(1)) expect(state).not.toContain(email);
        for (const email of emails(TURNS)) expect(state).toContain(email);
      } finally {
        redis.disconnect();
      }
    }
  });
});
