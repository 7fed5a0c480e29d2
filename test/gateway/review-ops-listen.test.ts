/**
 * A port already taken (another gateway, a stale process) is the most common start-up failure: the
 * operator must get one line naming the address and exit 1, not a stack trace.
 */
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";

describe("serve on a taken port", { timeout: 60_000 }, () => {
  it("exits 1 with a message naming the address", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), HOST: "127.0.0.1" },
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(stderr).toContain(`switchyard: cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(stderr).not.toContain("    at ");
      expect(code).toBe(1);
    } finally {
      holder.close();
    }
  });
});
