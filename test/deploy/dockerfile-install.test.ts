/**
 * The image's dependency install must work with this repo's package-lock.json. `npm ci` refuses it
 * ("Missing: @node-llama-cpp/win-x64@ from lock file": node-llama-cpp lists optional binaries for
 * other platforms that the lock does not carry), so `docker build` failed; `npm install` follows the
 * lock for everything it has, as .ci/run does. No Docker engine here: the Dockerfile's own install
 * command is run as a dry run on the files the image copies before it.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const dockerfile = await readFile("Dockerfile", "utf8");
const lines = dockerfile.split("\n");
const installIndex = lines.findIndex((line) => /^RUN npm /.test(line));
/** The npm command of the install step, without the cache clean-up chained after it. */
const installCommand = (lines[installIndex] ?? "").replace(/^RUN /, "").split("&&")[0]?.trim() ?? "";

describe("Dockerfile dependency install", () => {
  it("uses npm install without dev dependencies, with the flags .ci/run uses, never npm ci", async () => {
    expect(installCommand).toBe("npm install --omit=dev --no-audit --no-fund");
    expect(lines.filter((line) => !line.startsWith("#") && /npm ci\b/.test(line))).toEqual([]);
    expect(await readFile(".ci/run", "utf8")).toContain("npm install --no-audit --no-fund");
  });

  it("copies package.json, package-lock.json and .npmrc in before installing", () => {
    const copy = lines.findIndex((line) => /^COPY package\.json package-lock\.json \.npmrc \.\/$/.test(line));
    expect(copy).toBeGreaterThanOrEqual(0);
    expect(copy).toBeLessThan(installIndex);
  });

  it("succeeds on those files (dry run, offline)", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-docker-install-"));
    try {
      for (const file of ["package.json", "package-lock.json", ".npmrc"]) await copyFile(file, join(dir, file));
      const [npm, ...args] = installCommand.split(/\s+/);
      expect(npm).toBe("npm");
      await expect(promisify(execFile)("npm", [...args, "--dry-run", "--offline"], { cwd: dir })).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
