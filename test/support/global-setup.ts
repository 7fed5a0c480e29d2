/**
 * Gives the suite a real Redis without relying on the machine's: with REDIS_URL unset, start a private
 * `redis-server` on a free loopback port for the run and stop it afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForRedis(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`redis-server on port ${port} exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`redis-server on port ${port} did not start: ${output}`)), 10_000).unref();
  });
}

let redis: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.REDIS_URL;
  if (!url) {
    const port = await freePort();
    redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    await waitForRedis(redis, port);
    url = `redis://127.0.0.1:${port}`;
  }
  project.provide("redisUrl", url);
  return async () => {
    if (redis && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis?.once("exit", resolve));
      redis.kill("SIGTERM");
      await exited;
    }
  };
}
