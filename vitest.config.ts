import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Model loading and real servers make some files slow to start; 2 cores → few workers.
// expect.poll waits for work that finishes after the answer (a turn saved, a usage record written); its 1 s
// default failed on a loaded host (a save counted 1 of 2 at load 13) with nothing wrong.
const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: "forks" as const, expect: { poll: { timeout: 10_000 } } };

/**
 * Test files that touch nothing process-wide share their worker's modules instead of each importing the
 * gateway's dependencies anew (transformers.js, node-llama-cpp, compromise's lexicon, the openai SDK: ~4.5 s
 * per file on a 2-core host, most of the suite's time when every file had its own). The source keeps no
 * mutable state outside the composition root, so a file sees the same modules as a fresh process would.
 * Isolated stay the files that replace modules or globals (vi.mock, spies, fake timers, TZ) and those that
 * measure time or memory: in a worker shared with a hundred other files the engine's paths are warmed
 * unevenly, and a cost ratio moved past its bound.
 */
const PROCESS_WIDE = /vi\.(?:mock|doMock|spyOn|stubEnv|stubGlobal|useFakeTimers|setSystemTime)|process\.env\b|inServerTimeZone|Error\.stackTraceLimit/;
const MEASURES = /cpu-time|event-loop-stall|cpuUsage|performance\.now|Date\.now|hrtime|memoryUsage|heapUsed/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}
const sharedFiles = testFiles("test").filter((file) => {
  const source = readFileSync(file, "utf8");
  return !PROCESS_WIDE.test(source) && !MEASURES.test(source);
});

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { ...common, name: "shared", include: sharedFiles, isolate: false, globalSetup: ["test/support/global-setup.ts"] } },
      {
        test: {
          ...common,
          name: "isolated",
          include: ["test/**/*.test.ts"],
          exclude: [...sharedFiles, "**/node_modules/**"],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
