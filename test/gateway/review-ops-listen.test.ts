/**
 * A port already taken (another gateway, a stale process) is the most common start-up failure: the
 * operator must get one line naming the address and exit 1, not a stack trace.
 */
import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

describe("serve on a taken port", { timeout: 60_000 }, () => {
  it("exits 1 with a message naming the address", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runCliProcess(["serve"], { env: { PORT: String(port), HOST: "127.0.0.1" } });
      expect(stderr).toContain(`switchyard: cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(stderr).not.toContain("    at ");
      expect(code).toBe(1);
    } finally {
      holder.close();
    }
  });
});
