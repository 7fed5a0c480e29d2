/**
 * `SWITCHYARD_CLASSIFIER_DIR` naming no model stops start-up with one line that names the variable
 * and says what is wrong, exit 1; before, a raw ClassifierModelError stack that never named it.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Should the check fail and the gateway start, it must not outlive the test.
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe("serve with SWITCHYARD_CLASSIFIER_DIR set to a missing folder", { timeout: 90_000 }, () => {
  it("prints one line naming the variable and the problem, exit 1", async () => {
    const { code, stderr } = await serve({ SWITCHYARD_CLASSIFIER_DIR: "/nonexistent-switchyard-model" });
    expect(stderr).toBe("switchyard: SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: /nonexistent-switchyard-model: no such folder\n");
    expect(code).toBe(1);
  });
});
