/**
 * A HOST written as a host name that no resolver knows stops `serve` with one line naming the address
 * and exit 1, like a taken port; it used to end in `Error: getaddrinfo ENOTFOUND …` and a stack trace.
 */
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

describe("serve with a HOST that does not resolve", { timeout: 60_000 }, () => {
  it("exits 1 with a message naming the address, no stack trace", async () => {
    // `.invalid` never resolves (RFC 6761); without a DNS server the resolver fails too (EAI_AGAIN).
    const { code, stderr } = await runCliProcess(["serve"], { env: { HOST: "no-such-host.invalid", PORT: "0", LOG_LEVEL: "silent" }, killAfterMs: 50_000 });
    expect(stderr).toContain("switchyard: cannot listen on no-such-host.invalid:0: the host name does not resolve to an address (set PORT or HOST)");
    expect(stderr).not.toContain("    at ");
    expect(code).toBe(1);
  });
});
