import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// Model loading and real servers make some files slow to start; 2 cores → few workers.
const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: "forks" as const };

/**
 * The PII engine's test files that measure no time. They test pure functions of text and policy (no
 * servers, mocks, timers or environment), so they share a worker's modules instead of each importing the
 * engine and its lexicons anew, which took most of their time (~6 of the suite's ~16 minutes on a loaded
 * 2-core host). Files that measure time (CPU or wall) stay isolated: in a worker shared with a hundred
 * other files the engine's paths are warmed unevenly, and a cost ratio moved past its bound.
 */
const TIMING = /cpu-time|event-loop-stall|cpuUsage|performance\.now|Date\.now|hrtime/;
const sharedPiiFiles = readdirSync("test/pii")
  .filter((file) => file.endsWith(".test.ts") && !TIMING.test(readFileSync(`test/pii/${file}`, "utf8")))
  .map((file) => `test/pii/${file}`);

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { ...common, name: "pii-shared", include: sharedPiiFiles, isolate: false } },
      {
        test: {
          ...common,
          name: "isolated",
          include: ["test/**/*.test.ts"],
          exclude: [...sharedPiiFiles, "**/node_modules/**"],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
