/**
 * Servers under test run as child processes of the benchmark (which is the load generator), so a
 * server never shares an event loop with the client measuring it. Children are stopped by their own
 * pid, and killed if the benchmark exits without stopping them.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { get } from "node:http";
import { createServer } from "node:net";

export interface ChildServer {
  name: string;
  pid: number;
  /** Resolves once the child has exited (SIGTERM, then SIGKILL after a grace period). */
  stop(graceMs?: number): Promise<void>;
  /** The last lines the child wrote to stderr, for error messages. */
  stderrTail(): string;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: Readonly<Record<string, string>>;
  /** stdout goes to this file (access logs are written somewhere real, and nothing blocks on a pipe). */
  stdoutFile: string;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill("SIGKILL");
    process.exit(130);
  });
}

export function startChild(options: ChildOptions): ChildServer {
  const stdout = openSync(options.stdoutFile, "a");
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", stdout, "pipe"],
  });
  closeSync(stdout);
  if (child.pid === undefined) throw new Error(`${options.name}: failed to start ${options.command}`);
  running.add(child);
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  return {
    name: options.name,
    pid: child.pid,
    stderrTail: () => stderr.join("").split("\n").slice(-20).join("\n"),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port that was free a moment ago (the child binds it next; good enough on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until `accept(status, body)` is true; fails after `timeoutMs`. */
export async function waitForHttp(
  url: string,
  accept: (status: number, body: string) => boolean,
  options: { timeoutMs: number; child?: ChildServer },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    const answer = await httpGet(url).catch((error: Error) => ({ status: 0, body: error.message }));
    if (answer.status > 0 && accept(answer.status, answer.body)) return;
    last = `${answer.status} ${answer.body.slice(0, 200)}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tail = options.child ? `\n${options.child.name} stderr:\n${options.child.stderrTail()}` : "";
  throw new Error(`timed out waiting for ${url} (last: ${last})${tail}`);
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (text: string) => (body += text));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Waits for a child to write `path` (how a child on a port of its own choosing says where it is). */
export async function waitForFile(path: string, options: { timeoutMs: number; child: ChildServer }): Promise<string> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text.length > 0) return text.trim();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${options.child.name} to write ${path}\n${options.child.stderrTail()}`);
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * CPU time (user + system, all threads) a process has used so far, from /proc. Per-request CPU is
 * what a busy shared machine distorts least, so the reports show it next to latencies.
 */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
}
