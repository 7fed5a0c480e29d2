/**
 * Which errors refuse only the command that got them (the store stays up) and which say Redis cannot
 * serve: the error values are ioredis's own, as its Cluster client builds them when it gives up.
 */
import { ReplyError } from "ioredis";
import { describe, expect, it } from "vitest";
import { refusedOnItsOwn } from "../../src/context/redis-health.js";

const gaveUpAfter = (reply: string) => new Error(`Too many Cluster redirections. Last error: ${new ReplyError(reply)}`);

describe("refusedOnItsOwn", () => {
  it("takes a Cluster client giving up while a slot is migrated (TRYAGAIN, ASK) as that slot's commands refused", () => {
    expect(refusedOnItsOwn(gaveUpAfter("TRYAGAIN Multiple keys request during rehashing of slot"))).toBe(true);
    expect(refusedOnItsOwn(gaveUpAfter("ASK 866 127.0.0.1:7001"))).toBe(true);
  });

  // Review of the bug bash: MOVED read as refused on its own hid a broken topology (nodes announcing an
  // address that leads back to a node without the slot) behind a ready store.
  it("takes a Cluster client giving up on MOVED as Redis unreachable: the announced addresses lead nowhere useful", () => {
    expect(refusedOnItsOwn(gaveUpAfter("MOVED 866 10.0.0.5:6379"))).toBe(false);
  });

  it("takes an outage reply or a closed connection as Redis unreachable", () => {
    expect(refusedOnItsOwn(new ReplyError("CLUSTERDOWN The cluster is down"))).toBe(false);
    expect(refusedOnItsOwn(gaveUpAfter("CLUSTERDOWN The cluster is down"))).toBe(false);
    expect(refusedOnItsOwn(new Error("Connection is closed."))).toBe(false);
    expect(refusedOnItsOwn(new ReplyError("NOPERM this user has no permissions"))).toBe(true);
  });
});
