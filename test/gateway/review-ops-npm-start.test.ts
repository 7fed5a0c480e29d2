/**
 * `npm start` as process managers run it: SIGTERM goes to npm's pid only (pm2, supervisord, `kill`,
 * systemd with KillMode=process). The gateway must get the signal, drain and exit, not be orphaned
 * behind a shell that died on it and keep the port.
 */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";

const groups: number[] = [];
afterAll(() => {
  // The process group catches anything left behind (what this test guards against).
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe("npm start", { timeout: 90_000 }, () => {
  it("on SIGTERM to npm, the gateway shuts down gracefully and stops listening", async () => {
    const child = spawn("npm", ["start", "--silent"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0" },
      detached: true,
    });
    groups.push(child.pid!);
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(out).toContain('"msg":"switchyard stopped"');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
