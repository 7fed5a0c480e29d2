/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by module
 * (npm package or repository file), so a benchmark miss can be traced to the code that spends it.
 *
 *   npx tsx bench/lib/cpuprofile-summary.ts <file.cpuprofile> [--top=30]
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export function selfTimes(profile: CpuProfile, keyOf: (node: ProfileNode) => string): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    all += micros;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + micros);
  });
  return [...totals.entries()]
    .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / all }))
    .sort((a, b) => b.ms - a.ms);
}

export function moduleOf(url: string): string {
  if (url === "") return "(native / V8)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith("node:")) return url;
  const repo = /\/work\/[^/]+\/(.*)$/.exec(url);
  return repo?.[1] ?? url;
}

/**
 * Busy time (idle excluded) whose stack passes through each module at least once: "how much of the
 * work happens under this package", which self time alone hides for thin wrappers over native code.
 */
export function inclusiveByModule(profile: CpuProfile): SelfTime[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === "(idle)") return;
    const micros = profile.timeDeltas[index] ?? 0;
    busy += micros;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? "";
      if (url) seen.add(moduleOf(url));
    }
    if (leaf.callFrame.functionName === "(garbage collector)") seen.add("(garbage collector)");
    for (const key of seen) totals.set(key, (totals.get(key) ?? 0) + micros);
  });
  return [...totals.entries()]
    .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / busy }))
    .sort((a, b) => b.ms - a.ms);
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || "(anonymous)";
  return url ? `${name}  ${moduleOf(url)}:${lineNumber + 1}` : name;
}

async function cli(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) throw new Error("usage: cpuprofile-summary.ts <file.cpuprofile> [--top=30]");
  const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const print = (title: string, rows: SelfTime[]) => {
    process.stdout.write(`\n${title}\n`);
    for (const row of rows.slice(0, top)) {
      process.stdout.write(`${row.ms.toFixed(0).padStart(8)} ms ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}\n`);
    }
  };
  print("self time by module", selfTimes(profile, (node) => moduleOf(node.callFrame.url)));
  print("self time by function", selfTimes(profile, functionKey));
  print("busy time under each module (inclusive, share of non-idle time)", inclusiveByModule(profile));
}

if (import.meta.url === `file://${process.argv[1]}`) await cli(process.argv.slice(2));
