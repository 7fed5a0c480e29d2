/**
 * The PII engine's cost on the hostile texts of pii-hostile-texts.ts, this checkout beside another
 * (`--old-dir=<git archive of main>`), run interleaved so both see the same load. CPU time
 * (process.cpuUsage) is what the code costs; wall time and the runs that failed closed at the policy's
 * budget are what a user meets on a machine as loaded as this one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deadlineIn, PiiScanError } from "../../src/pii/budget.js";
import type { PiiEngine } from "../../src/pii/index.js";
import { hostileTexts } from "./pii-hostile-texts.js";

interface Side {
  name: string;
  engine: PiiEngine;
  budgetMs: number;
  /** The old side's own budget error class: a snapshot's modules are not this checkout's. */
  isScanError: (error: unknown) => boolean;
}

/** An engine built from the checkout or snapshot at `dir` with its own policy file, cache off. */
async function sideAt(name: string, dir: string): Promise<Side> {
  const pii = (await import(join(dir, "src/pii/index.ts"))) as typeof import("../../src/pii/index.js");
  const budget = (await import(join(dir, "src/pii/budget.ts"))) as typeof import("../../src/pii/budget.js");
  const policyPath = join(dir, "policies/pii.yaml");
  const policy = pii.parsePiiPolicy(readFileSync(policyPath, "utf8"), policyPath);
  return {
    name,
    engine: pii.createPiiEngine(policy, { cacheEntries: 0 }),
    budgetMs: policy.scan.budget_ms,
    isScanError: (error) => error instanceof budget.PiiScanError || error instanceof PiiScanError,
  };
}

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function hostileRows(line: (s?: string) => void, options: { oldDir?: string; runs: number }): Promise<void> {
  const here = join(import.meta.dirname, "../..");
  const sides = [await sideAt("this checkout", here)];
  if (options.oldDir) sides.unshift(await sideAt(`old (${options.oldDir})`, options.oldDir));
  line(`Hostile texts, whole engine scan (cache off), ${options.runs} runs each interleaved between ${sides.map((s) => s.name).join(" and ")}:`);
  line("CPU ms is process.cpuUsage (best / median); wall ms the median; 'failed closed' counts further runs with the policy's budget.");
  line();
  line("| text | code | findings | CPU best | CPU median | × ordinary (best) | wall median | failed closed |");
  line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  const ordinaryBest = new Map<string, number>();
  for (const [textName, text] of hostileTexts()) {
    const cpu = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    const wall = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    const failed = new Map<string, number>(sides.map((s) => [s.name, 0]));
    const findings = new Map<string, string>();
    for (let run = 0; run < options.runs; run++) {
      for (const side of sides) {
        const started = performance.now();
        cpu.get(side.name)!.push(cpuMs(() => findings.set(side.name, JSON.stringify(side.engine.scan(text)))));
        wall.get(side.name)!.push(performance.now() - started);
      }
      for (const side of sides) {
        try {
          side.engine.scan(text, deadlineIn(side.budgetMs));
        } catch (error) {
          if (!side.isScanError(error)) throw error;
          failed.set(side.name, failed.get(side.name)! + 1);
        }
      }
    }
    const same = new Set(findings.values()).size === 1;
    for (const side of sides) {
      const best = Math.min(...cpu.get(side.name)!);
      if (ordinaryBest.size < sides.length) ordinaryBest.set(side.name, best);
      const count = (JSON.parse(findings.get(side.name)!) as unknown[]).length;
      line(
        `| ${textName} | ${side.name} | ${count}${sides.length > 1 && !same ? " (differ)" : ""} | ${best.toFixed(0)} ms | ${median(cpu.get(side.name)!).toFixed(0)} ms | ${(best / ordinaryBest.get(side.name)!).toFixed(2)} | ${median(wall.get(side.name)!).toFixed(0)} ms | ${failed.get(side.name)} of ${options.runs} |`,
      );
    }
  }
}
