/**
 * `npm run bench -- reload [--runs=5]`
 *
 * What a policy reload costs the requests being served: the longest the event loop stalls while the
 * gateway reloads (every request waiting in that moment waits that long), and the reload's wall time,
 * with the files parsed on the serving thread, on a worker (the gateway's way), and on a worker that
 * checked the same files before (a SIGHUP with nothing changed), alternated in one run. Files: the shipped policies, then each grown near its size limit — routing.yaml of ~2,500
 * rules (256 KiB), intents.yaml with ~45,000 examples in one flow list (1 MiB), budgets.yaml of
 * ~5,000 tenants (256 KiB).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadGatewayConfig } from "../src/config/load.js";
import type { ModelRegistry } from "../src/models/registry.js";
import { loadPolicyDir } from "../src/policy/load.js";
import { checkPolicyFilesOffThread } from "../src/policy/off-thread-check.js";
import { reloadBudgetPolicy } from "../src/usage/budgets/load.js";
import { parseBudgetsOffThread } from "../src/usage/budgets/off-thread-parse.js";
import { machineLine, switchyardSource } from "./lib/machine.js";
import { markdownTable, ms } from "./lib/markdown.js";
import { median } from "./lib/stats.js";

const REPO = resolve(import.meta.dirname, "..");
const POLICY_DIR = join(REPO, "policies");

interface Scenario {
  name: string;
  /** The file grown, and its text. */
  file?: { name: string; text: (shipped: string) => string };
  /** Which reload it measures. */
  kind: "policy" | "budgets";
}

const SCENARIOS: Scenario[] = [
  { name: "shipped routing + intents", kind: "policy" },
  {
    name: "routing.yaml, 2,500 rules",
    kind: "policy",
    file: {
      name: "routing.yaml",
      text: (shipped) =>
        shipped.replace(
          /^rules:\n/m,
          `rules:\n${Array.from({ length: 2_500 }, (_, i) => `  - name: tenant-rule-${i}\n    when: { tenant: t-${i} }\n    then: { route: cloud }\n`).join("")}`,
        ),
    },
  },
  {
    name: "intents.yaml, 45,000 examples in one flow list",
    kind: "policy",
    file: {
      name: "intents.yaml",
      text: (shipped) =>
        shipped.replace(
          /^intents:\n/m,
          `intents:\n  bulk:\n    route: local\n    description: bulk\n    examples: [${Array.from({ length: 45_000 }, (_, i) => `bulk example ${i}`).join(", ")}]\n`,
        ),
    },
  },
  {
    name: "budgets.yaml, 5,000 tenants",
    kind: "budgets",
    file: {
      name: "budgets.yaml",
      text: () => `version: 1\ntenants:\n${Array.from({ length: 5_000 }, (_, i) => `  t-${i}: { monthly_usd: ${i + 1}, action: deny }\n`).join("")}`,
    },
  },
];

/** The longest the event loop went without running a 1 ms timer while `work` ran, and `work`'s wall time. */
async function stallOf(work: () => Promise<unknown>): Promise<{ stall: number; wall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  let wall = 0;
  try {
    await work();
    wall = performance.now() - started;
    // A stall at the work's very end shows only when the timer runs once more.
    await new Promise((resolve) => setTimeout(resolve, 2));
  } finally {
    clearInterval(timer);
  }
  return { stall, wall };
}

/**
 * How a reload parses: on the serving thread; on a worker for files it has not seen (a fresh worker
 * each time: an edit); or on a worker for files it checked last time (SIGHUP with nothing changed: the
 * answer is reused, src/workers/reuse-recent-answers.ts, and no worker starts).
 */
type Mode = "serving thread" | "worker, files edited" | "worker, files unchanged";
const MODES: readonly Mode[] = ["serving thread", "worker, files edited", "worker, files unchanged"];

function reloadOf(scenario: Scenario, dir: string, registry: ModelRegistry, mode: Mode): () => Promise<unknown> {
  if (scenario.kind === "budgets") {
    const file = join(dir, "budgets.yaml");
    const kept = parseBudgetsOffThread();
    const parse = mode === "serving thread" ? () => undefined : mode === "worker, files edited" ? () => parseBudgetsOffThread() : () => kept;
    return () => reloadBudgetPolicy(file, { loaded: true, parse: parse() });
  }
  const kept = checkPolicyFilesOffThread();
  const check = mode === "serving thread" ? () => undefined : mode === "worker, files edited" ? () => checkPolicyFilesOffThread() : () => kept;
  return () => loadPolicyDir({ dir, registry, check: check() });
}

function option(args: string[], name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

export async function main(args: string[]): Promise<void> {
  const runs = option(args, "runs", 5);
  const { registry } = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: POLICY_DIR }, REPO);
  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-reload-bench-"));
    try {
      await cp(POLICY_DIR, dir, { recursive: true });
      let bytes = 0;
      if (scenario.file) {
        const path = join(dir, scenario.file.name);
        const text = scenario.file.text(await readFile(path, "utf8").catch(() => ""));
        await writeFile(path, text);
        bytes = Buffer.byteLength(text);
      }
      const reloads = MODES.map((mode) => reloadOf(scenario, dir, registry, mode));
      // Warm every mode up (the parser's JIT, tsx's transform cache, the unchanged mode's kept answer), then alternate them.
      for (const reload of reloads) await reload();
      const samples = MODES.map(() => [] as { stall: number; wall: number }[]);
      for (let run = 0; run < runs; run++) {
        for (const [i, reload] of reloads.entries()) samples[i]!.push(await stallOf(reload));
      }
      for (const [i, mode] of MODES.entries()) {
        const list = samples[i]!;
        rows.push([scenario.name, bytes ? bytes.toLocaleString("en") : "shipped", mode, ms(median(list.map((s) => s.stall))), ms(Math.max(...list.map((s) => s.stall))), ms(median(list.map((s) => s.wall)))]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const lines = [
    `Machine: ${machineLine()}. Code: ${switchyardSource(REPO, REPO)}. ${runs} reloads per row after one warm-up, the three modes alternated.`,
    "",
    markdownTable(["files", "bytes of the grown file", "parsed on", "longest event-loop stall, median ms", "worst ms", "reload wall time, median ms"], rows),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
