/**
 * A session save that throws after the answer went out loses nothing else: the request's usage is
 * recorded (it used to be recorded after the save, so a throwing save dropped it), the failure is
 * logged, and the gateway goes on serving. A real context store answers "degraded" instead of
 * throwing, so the throw is made by replacing the save stage.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { apiKeysEnv, usageTotals } from "../support/usage-api.js";

vi.mock("../../src/pipeline/stages/save.js", () => ({
  saveTurn: () => Promise.reject(new Error("the save stage failed")),
}));

const KEY = "sk-acme-usage-save-throws";
const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_API_KEYS: apiKeysEnv({ acme: KEY }) }, waitForModels: false } });

describe("a session save that throws", () => {
  it.each([false, true])("keeps the answered request's usage record (stream: %s)", async (stream) => {
    const before = (await usageTotals(cloud.gw.url, KEY, 0)).requests;
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "x-session-id": `save-throws-${randomUUID()}` },
      body: JSON.stringify({ model: "fake-gpt", stream, messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(response.status).toBe(200);
    await response.text();

    expect((await usageTotals(cloud.gw.url, KEY, before + 1)).requests).toBe(before + 1);
    await expect.poll(() => cloud.gw.logs.filter((line) => line.includes("the save stage failed")).length).toBeGreaterThan(0);
  });
});
