/**
 * `npm run bench -- pii`: PII engine throughput on 1 KB, 10 KB and 100 KB mixed texts, the latency it
 * adds to a 1 KB prompt, and precision/recall per entity type on the labelled corpus. Prints Markdown
 * for docs/BENCHMARKS.md.
 *
 * `npm run bench -- pii --hostile [--old-dir=<git archive of main>] [--runs=N]`: only the cost of 1 MB
 * texts that make the person-field and table readers work hardest (lib/pii-hostile-rows.ts), beside
 * the old code's when given.
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPiiEngine, createSanitizer, parsePiiPolicy, PseudonymVault, type PiiEngine } from "../src/pii/index.js";
import { NO_DEADLINE } from "../src/pii/budget.js";
import { forEachMatch, ownRegex } from "../src/pii/recognizers/matches.js";
import { ADDRESS, RUN } from "../src/pii/recognizers/names.js";
import { NATIONAL_ID_SHAPES } from "../src/pii/recognizers/national-ids.js";
import { oneByteMatcher } from "../src/pii/recognizers/one-byte-matches.js";
import { loadCorpus, overall, scoreCorpus } from "./pii-corpus.js";
import { hostileRows } from "./lib/pii-hostile-rows.js";
import { machineLine } from "./lib/machine.js";

const POLICY_PATH = fileURLToPath(new URL("../policies/pii.yaml", import.meta.url));

/** Corpus prompts (PII-laden and near misses, in file order) cycled to `bytes` characters of ASCII-heavy text. */
function mixedText(prompts: readonly string[], bytes: number): string {
  let text = "";
  for (let i = 0; text.length < bytes; i++) text += `${prompts[i % prompts.length]}\n\n`;
  return text.slice(0, bytes);
}

/** Wall-clock milliseconds per run, sorted. */
function timeIt(run: () => void, minMs: number): number[] {
  const samples: number[] = [];
  const started = performance.now();
  while (performance.now() - started < minMs || samples.length < 20) {
    const t = performance.now();
    run();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export async function main(args: string[]): Promise<void> {
  if (args.includes("--hostile")) {
    const out: string[] = [`Machine: ${machineLine()}.`, ""];
    const oldDir = args.find((a) => a.startsWith("--old-dir="))?.slice("--old-dir=".length);
    const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 5);
    await hostileRows((s = "") => out.push(s), { oldDir, runs });
    process.stdout.write(`${out.join("\n")}\n`);
    return;
  }
  const minMs = args.includes("--quick") ? 200 : 1_500;
  const policy = parsePiiPolicy(readFileSync(POLICY_PATH, "utf8"), POLICY_PATH);
  // The same text is scanned over and over here: the scan cache would answer all but the first, so
  // the recognizers' own speed is measured with it off (the resent-conversation row below uses it).
  const engines: [string, PiiEngine][] = [
    ["pattern recognizers", createPiiEngine(policy, { names: false, cacheEntries: 0 })],
    ["all recognizers (incl. PERSON/LOCATION)", createPiiEngine(policy, { cacheEntries: 0 })],
  ];
  const corpus = loadCorpus();
  const prompts = corpus.map((s) => s.text);
  const out: string[] = [];
  const line = (s = "") => out.push(s);

  line(`Machine: ${availableParallelism()} cores (nproc), ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; one core (single-threaded scans); load average at start ${loadavg()[0]!.toFixed(1)}.`);
  line(`Texts: the labelled corpus's prompts (PII-laden and near misses) cycled to size; about one entity per ${Math.round(
    prompts.join("").length / corpus.reduce((n, s) => n + s.entities.length, 0),
  )} characters, a PII-dense worst case; "sparse" mixes the near misses with every fifth PII prompt.`);
  line();
  // Near misses with every fifth PII prompt: closer to everyday traffic than the PII-dense corpus.
  const sparse = corpus.filter((s, i) => s.entities.length === 0 || i % 5 === 0).map((s) => s.text);
  // The fastest run shows what the code costs when nothing else competes for the core; on a shared
  // machine the median also carries other processes' load.
  line("| engine | text | median time | throughput | fastest run | throughput at fastest |");
  line("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const [mixName, mix] of [["PII-dense", prompts], ["sparse", sparse]] as const) {
    for (const [name, engine] of engines) {
      for (const size of [1024, 10 * 1024, 100 * 1024]) {
        const text = mixedText(mix, size);
        const times = timeIt(() => engine.scan(text), minMs);
        const [median, fastest] = [quantile(times, 0.5), times[0]!];
        line(
          `| ${name} | ${size / 1024} KB ${mixName} | ${median.toFixed(3)} ms | ${mbPerSecond(size, median).toFixed(1)} MB/s | ${fastest.toFixed(3)} ms | ${mbPerSecond(size, fastest).toFixed(1)} MB/s |`,
        );
      }
    }
  }
  line();
  oneByteRows(line, minMs);
  line();
  line("Added latency for one 1 KB prompt:");
  line();
  line("| path | p50 | p99 |");
  line("| --- | ---: | ---: |");
  const prompt = mixedText(prompts, 1024);
  for (const [name, engine] of engines) {
    const times = timeIt(() => engine.scan(prompt), minMs);
    line(`| scan, ${name} | ${quantile(times, 0.5).toFixed(3)} ms | ${quantile(times, 0.99).toFixed(3)} ms |`);
  }
  const sanitizer = createSanitizer({ policy, engine: engines[1]![1], env: {} });
  const request = { model: "cloud-model", messages: [{ role: "user" as const, content: prompt }] };
  const sanitizeTimes = timeIt(() => sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "bench" }), minMs);
  line(`| sanitizeForCloud (all recognizers, pseudonymize) | ${quantile(sanitizeTimes, 0.5).toFixed(3)} ms | ${quantile(sanitizeTimes, 0.99).toFixed(3)} ms |`);
  const clean = { model: "cloud-model", messages: [{ role: "user" as const, content: mixedText(prompts.filter((_, i) => corpus[i]!.entities.length === 0), 1024) }] };
  const cleanTimes = timeIt(() => sanitizer.sanitizeForCloud(clean, { vault: new PseudonymVault(), tenant: "bench" }), minMs);
  line(`| sanitizeForCloud, 1 KB without PII | ${quantile(cleanTimes, 0.5).toFixed(3)} ms | ${quantile(cleanTimes, 0.99).toFixed(3)} ms |`);
  // A chat client resends the conversation each turn: the earlier turns were scanned on the turn before.
  const history = prompts.slice(0, 8).map((content, i) => ({ role: i % 2 === 0 ? ("user" as const) : ("assistant" as const), content }));
  let turn = 0;
  const resent = (through: typeof sanitizer) =>
    timeIt(() => {
      const next = { role: "user" as const, content: `${prompts[8 + (turn++ % (prompts.length - 8))]!} (turn ${turn})` };
      through.sanitizeForCloud({ model: "cloud-model", messages: [...history, next] }, { vault: new PseudonymVault(), tenant: "bench" });
    }, minMs);
  const resentTimes = resent(createSanitizer({ policy, engine: createPiiEngine(policy), env: {} }));
  const resentBytes = history.reduce((n, m) => n + m.content.length, 0);
  line(`| sanitizeForCloud, 8 resent turns (${(resentBytes / 1024).toFixed(1)} KB) + a new one, scan cache on | ${quantile(resentTimes, 0.5).toFixed(3)} ms | ${quantile(resentTimes, 0.99).toFixed(3)} ms |`);
  const uncachedTimes = resent(sanitizer);
  line(`| the same, scan cache off | ${quantile(uncachedTimes, 0.5).toFixed(3)} ms | ${quantile(uncachedTimes, 0.99).toFixed(3)} ms |`);

  line();
  const positives = corpus.filter((s) => s.entities.length > 0).length;
  line(`Precision and recall on the labelled corpus (${corpus.length} prompts: ${positives} with PII, ${corpus.length - positives} near misses; a finding counts when it overlaps a label of its type):`);
  line();
  line("| type | labels | findings | precision | recall |");
  line("| --- | ---: | ---: | ---: | ---: |");
  const scores = scoreCorpus(engines[1]![1], corpus);
  for (const s of [...scores, overall(scores)]) {
    line(`| ${s.type} | ${s.labels} | ${s.predictions} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

/**
 * One-byte matching (recognizers/one-byte-matches.ts) against matching the text as written, on texts
 * with characters above U+00FF where it used to cost 3-5× more than matching directly (a review's
 * repros): it should cost about as much as matching directly there (ratio ≈ 1), and less on texts
 * with a few such characters.
 */
function oneByteRows(line: (s?: string) => void, minMs: number): void {
  const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  let state = 5;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const texts: [string, string][] = [
    ["1 MB of '1 ٣,,,,,,,,,,'", fill("1 ٣,,,,,,,,,,", 1 << 20)],
    ["256 KB, 20% 'ł' at random", Array.from({ length: 1 << 18 }, (_, i) => (random() < 0.2 ? "ł" : "abc defg hij, "[i % 14])).join("")],
    ["1 MB of 'a–'", fill("a–", 1 << 20)],
    ["100 KB prose, a '–' every 300 units", fill(`${"Maria Gonzalez lives at 42 Elm Street, Springfield, IL 62704 and works at Acme. ".repeat(3)}Call her – later. `, 100 * 1024)],
  ];
  line("One-byte matching against matching the text as written (fastest run; ratio above 1: one-byte matching costs more):");
  line();
  line("| text | pattern | as written | one-byte matching | ratio |");
  line("| --- | --- | ---: | ---: | ---: |");
  for (const [textName, text] of texts) {
    for (const [name, regex] of [["names", RUN], ["addresses", ADDRESS], ["national IDs", NATIONAL_ID_SHAPES]] as const) {
      const own = ownRegex(regex);
      const matcher = oneByteMatcher(regex);
      const direct = timeIt(() => forEachMatch(own, text, NO_DEADLINE, () => {}), minMs / 4)[0]!;
      const oneByte = timeIt(() => matcher(text, NO_DEADLINE, () => {}), minMs / 4)[0]!;
      line(`| ${textName} | ${name} | ${direct.toFixed(2)} ms | ${oneByte.toFixed(2)} ms | ${(oneByte / direct).toFixed(2)} |`);
    }
  }
}
