/** Redos of one session's saves run one at a time on a replica; other sessions' are not held up. */
import { describe, expect, it } from "vitest";
import { OneAtATime } from "../../src/context/one-at-a-time.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("OneAtATime", () => {
  it("runs a key's tasks in turn, other keys alongside, and lets a failure through to its caller only", async () => {
    const queue = new OneAtATime();
    const events: string[] = [];
    let release!: () => void;
    const first = queue.run("a", async () => {
      events.push("a1 start");
      await new Promise<void>((resolve) => (release = resolve));
      events.push("a1 end");
      throw new Error("a1 failed");
    });
    const second = queue.run("a", async () => (events.push("a2"), "a2 done"));
    const other = queue.run("b", async () => (events.push("b1"), "b1 done"));
    await tick();
    expect(events).toEqual(["a1 start", "b1"]);
    await expect(other).resolves.toBe("b1 done");
    release();
    await expect(first).rejects.toThrow("a1 failed");
    await expect(second).resolves.toBe("a2 done");
    expect(events).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    await tick();
    expect(queue.busyKeys).toBe(0);
  });
});
