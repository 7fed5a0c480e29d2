/** What every report states about where and what it measured: numbers from a shared box mean little without it. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";

export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = loadavg().map((value) => value.toFixed(1)).join(" / ");
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  return `nproc ${availableParallelism()} (${cpu}), Node ${process.version}, ${date} UTC, load average at start ${load} (1/5/15 min)`;
}

/**
 * Which code a Switchyard process ran: a commit of this repository (marked when src/ or routes/
 * have uncommitted changes), or another folder, e.g. a `git archive` snapshot with a `.commit` file.
 */
export function switchyardSource(dir: string, repoRoot: string): string {
  const git = (...args: string[]) => spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" }).stdout.trim();
  const snapshot = existsSync(join(dir, ".commit")) ? readFileSync(join(dir, ".commit"), "utf8").trim() : undefined;
  if (snapshot) return `snapshot of commit ${snapshot} (${dir})`;
  const head = git("rev-parse", "--short", "HEAD");
  if (!head) return dir;
  const dirty = git("status", "--porcelain", "--", "src", "routes").length > 0;
  return `commit ${head}${dirty ? " plus uncommitted changes in src/ or routes/" : ""}${dir === repoRoot ? "" : ` (${dir})`}`;
}
