import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { SequencePool } from "../../src/providers/local/sequence-pool.js";

describe("SequencePool", () => {
  it("hands out slots, queues FIFO and refuses beyond the queue bound with 503 + Retry-After", async () => {
    const pool = new SequencePool(["a"], { maxQueue: 2, queueTimeoutMs: 10_000, name: "m" });
    const signal = new AbortController().signal;
    const first = await pool.acquire(signal);
    const order: string[] = [];
    const second = pool.acquire(signal).then((s) => order.push(`second:${s}`));
    const third = pool.acquire(signal).then((s) => order.push(`third:${s}`));
    expect(pool.queueDepth).toBe(2);
    const refused = await pool.acquire(signal).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).status).toBe(503);
    expect((refused as GatewayError).headers["retry-after"]).toBe("1");
    pool.release(first);
    await second;
    pool.release("a");
    await third;
    expect(order).toEqual(["second:a", "third:a"]);
  });

  it("drops a waiter whose client went away, and one that waited too long", async () => {
    const pool = new SequencePool(["a"], { maxQueue: 5, queueTimeoutMs: 50, name: "m" });
    await pool.acquire(new AbortController().signal);
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal).catch((e: unknown) => e);
    controller.abort(new Error("client gone"));
    expect(String(await aborted)).toContain("client gone");
    const timedOut = await pool.acquire(new AbortController().signal).catch((e: unknown) => e);
    expect((timedOut as GatewayError).status).toBe(503);
    expect(pool.queueDepth).toBe(0);
  });
});
