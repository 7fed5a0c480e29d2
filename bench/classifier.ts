/**
 * `npm run bench -- classifier [--data-root ../shared/data] [--datasets banking77,hwu64,snips] [--shots 10,30] [--seed 1]`
 *
 * The intent classifier on public datasets (read in place): test accuracy when trained on all
 * training data and on k examples per intent; unknown-intent recall with a quarter of Banking77's
 * intents left out of training, and what it costs in-scope; training time; single-query latency
 * through transformers.js and per-request cost at concurrency 32; model size. Prints markdown.
 */
import { cpus, tmpdir } from "node:os";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadIntentClassifier, ModelMetadataSchema, type IntentClassifier, type LabelledExample } from "../classifiers/index.js";
import { accuracy, macroF1, percentile } from "../classifiers/evaluation/metrics.js";
import { publicDatasets, type PublicDatasetName } from "../classifiers/evaluation/public-datasets.js";
import { writeModelFolder } from "../classifiers/model-folder.js";
import { seededRandom, shuffle } from "../classifiers/training/random.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../classifiers/training/train-classifier.js";

interface Scored {
  intent: string;
  confidence: number;
  unsure: boolean;
  /** What `unsure` thresholds: the in-scope score for a model with the in-scope rule, else the confidence. */
  score: number;
}

interface TrainedRun {
  classifier: IntentClassifier;
  seconds: number;
  bytes: number;
  dir: string;
}

const root = resolve(import.meta.dirname, "..");

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function train(examples: readonly LabelledExample[], name: string, seed: number): Promise<TrainedRun> {
  const dir = join(tmpdir(), `switchyard-bench-classifier-${name}`);
  const started = performance.now();
  const options = TrainClassifierOptionsSchema.parse({ model: { ...TrainClassifierOptionsSchema.shape.model.parse(undefined), seed } });
  const { files } = await trainNgramClassifier(examples, options);
  const seconds = (performance.now() - started) / 1000;
  await writeModelFolder(dir, files);
  return { classifier: await loadIntentClassifier(dir), seconds, bytes: await folderBytes(dir), dir };
}

async function release(run: TrainedRun): Promise<void> {
  await run.classifier.dispose();
  await rm(run.dir, { recursive: true, force: true });
}

async function score(classifier: IntentClassifier, texts: readonly string[]): Promise<{ scored: Scored[]; latencies: number[] }> {
  const scored: Scored[] = [];
  const latencies: number[] = [];
  for (const text of texts) {
    const started = performance.now();
    const { intent, confidence, unsure, unsureScore } = await classifier.classify(text);
    latencies.push(performance.now() - started);
    scored.push({ intent, confidence, unsure, score: unsureScore ?? confidence });
  }
  return { scored, latencies };
}

function sampleShots(examples: readonly LabelledExample[], shots: number, seed: number): LabelledExample[] {
  const random = seededRandom(seed);
  const byLabel = new Map<string, LabelledExample[]>();
  for (const example of examples) byLabel.set(example.label, [...(byLabel.get(example.label) ?? []), example]);
  return [...byLabel.keys()].sort().flatMap((label) => shuffle([...(byLabel.get(label) ?? [])], random).slice(0, shots));
}

function jaccardDistance(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : 1 - shared / union;
}

/**
 * "Varied" examples: per intent, a random first example, then repeatedly the example farthest (word
 * Jaccard distance) from those already chosen — what a person picking diverse examples would do.
 */
function sampleVariedShots(examples: readonly LabelledExample[], shots: number, seed: number): LabelledExample[] {
  const random = seededRandom(seed);
  const byLabel = new Map<string, LabelledExample[]>();
  for (const example of examples) byLabel.set(example.label, [...(byLabel.get(example.label) ?? []), example]);
  return [...byLabel.keys()].sort().flatMap((label) => {
    const pool = byLabel.get(label) ?? [];
    const words = pool.map((e) => new Set(e.text.toLowerCase().split(/\W+/).filter(Boolean)));
    const chosen = [random.int(pool.length)];
    const nearest = words.map((w) => jaccardDistance(w, words[chosen[0] as number] as Set<string>));
    while (chosen.length < Math.min(shots, pool.length)) {
      let best = -1;
      nearest.forEach((distance, i) => {
        if (!chosen.includes(i) && (best < 0 || distance > (nearest[best] as number))) best = i;
      });
      chosen.push(best);
      words.forEach((w, i) => (nearest[i] = Math.min(nearest[i] as number, jaccardDistance(w, words[best] as Set<string>))));
    }
    return chosen.map((i) => pool[i] as LabelledExample);
  });
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

async function accuracyRow(
  dataset: { name: string; train: LabelledExample[]; test: LabelledExample[] },
  setting: string,
  trainSet: LabelledExample[],
  seed: number,
): Promise<string> {
  const run = await train(trainSet, `${dataset.name.split(" ")[0]}-${setting}`.replace(/\W+/g, "-"), seed);
  try {
    const { scored } = await score(run.classifier, dataset.test.map((e) => e.text));
    const predicted = scored.map((s) => s.intent);
    const expected = dataset.test.map((e) => e.label);
    const escalated = scored.filter((s) => s.unsure).length / scored.length;
    const confidentCorrect = scored.filter((s, i) => !s.unsure && s.intent === expected[i]).length;
    const kept = scored.filter((s) => !s.unsure).length;
    return `| ${dataset.name} | ${setting} | ${trainSet.length} | ${pct(accuracy(predicted, expected))} | ${pct(macroF1(predicted, expected))} | ${pct(escalated)} | ${kept ? pct(confidentCorrect / kept) : "n/a"} | ${run.seconds.toFixed(1)} s | ${(run.bytes / 1e6).toFixed(1)} MB |`;
  } finally {
    await release(run);
  }
}

/**
 * Highest unknown recall whose in-scope cost (correct answers flagged unsure) stays within `budget`,
 * sweeping the score the model thresholds (so a model with the in-scope rule is measured on it).
 */
function recallWithinCost(inScope: Scored[], expected: string[], unknown: Scored[], budget: number): { recall: number; cost: number; threshold: number } {
  const thresholds = [...new Set([...inScope, ...unknown].map((s) => s.score))].sort((a, b) => a - b);
  let best = { recall: 0, cost: 0, threshold: 0 };
  for (const threshold of thresholds) {
    const cost = inScope.filter((s, i) => s.intent === expected[i] && s.score < threshold).length / inScope.length;
    if (cost > budget) break;
    const recall = unknown.filter((s) => s.score < threshold).length / unknown.length;
    if (recall >= best.recall) best = { recall, cost, threshold };
  }
  return best;
}

async function unknownIntents(dataset: { train: LabelledExample[]; test: LabelledExample[] }, seed: number): Promise<string[]> {
  const labels = [...new Set(dataset.train.map((e) => e.label))].sort();
  const heldOut = new Set(shuffle([...labels], seededRandom(seed)).slice(0, Math.round(labels.length / 4)));
  const run = await train(dataset.train.filter((e) => !heldOut.has(e.label)), "banking77-unknown", seed);
  try {
    const inScopeTest = dataset.test.filter((e) => !heldOut.has(e.label));
    const unknownTest = dataset.test.filter((e) => heldOut.has(e.label));
    const inScope = (await score(run.classifier, inScopeTest.map((e) => e.text))).scored;
    const unknown = (await score(run.classifier, unknownTest.map((e) => e.text))).scored;
    const expected = inScopeTest.map((e) => e.label);
    const inScopeAccuracy = accuracy(inScope.map((s) => s.intent), expected);
    const trainedCost = inScope.filter((s, i) => s.intent === expected[i] && s.unsure).length / inScope.length;
    const trainedRecall = unknown.filter((s) => s.unsure).length / unknown.length;
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(run.dir, "switchyard.json"), "utf8")));
    const rule = metadata.kind === "ngram" && metadata.inScope ? `ln confidence + ${metadata.inScope.coverageWeight} × word coverage` : "confidence";
    const rows = [
      `Banking77 with ${heldOut.size} of ${labels.length} intents left out of training (${unknownTest.length} unknown test queries, ${inScopeTest.length} in-scope); in-scope accuracy ${pct(inScopeAccuracy)}.`,
      "",
      `| threshold (on ${rule}) | unknown recall (unsure) | in-scope cost (correct answers flagged unsure) |`,
      "|---|---|---|",
      `| trained (target precision 0.95) | ${pct(trainedRecall)} | ${(trainedCost * 100).toFixed(1)} points |`,
    ];
    for (const budget of [0.01, 0.02, 0.05]) {
      const best = recallWithinCost(inScope, expected, unknown, budget);
      rows.push(`| ${best.threshold.toFixed(3)} (cost ≤ ${budget * 100} points) | ${pct(best.recall)} | ${(best.cost * 100).toFixed(1)} points |`);
    }
    return rows;
  } finally {
    await release(run);
  }
}

async function latency(dataset: { train: LabelledExample[]; test: LabelledExample[] }, seed: number): Promise<string[]> {
  const run = await train(dataset.train, "banking77-latency", seed);
  try {
    const texts = dataset.test.map((e) => e.text);
    await score(run.classifier, texts.slice(0, 300));
    // CPU time as well as wall time: on a shared machine wall-clock percentiles include waiting for a core.
    const cpuBefore = process.cpuUsage();
    const { latencies } = await score(run.classifier, texts);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPerQuery = (cpu.user + cpu.system) / texts.length;
    const concurrency = 32;
    const rounds = Math.floor(texts.length / concurrency);
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      await Promise.all(texts.slice(r * concurrency, (r + 1) * concurrency).map((text) => run.classifier.classify(text)));
    }
    const perRequest = (performance.now() - started) / (rounds * concurrency);
    return [
      "| measure | value |",
      "|---|---|",
      `| single query p50 (in-process, transformers.js tokenizer + ONNX Runtime session) | ${(percentile(latencies, 50) * 1000).toFixed(0)} µs |`,
      `| single query p99 | ${(percentile(latencies, 99) * 1000).toFixed(0)} µs |`,
      `| single query mean CPU time (process, all threads) | ${cpuPerQuery.toFixed(0)} µs |`,
      `| per-request cost at concurrency ${concurrency} (wall time / requests) | ${(perRequest * 1000).toFixed(0)} µs |`,
      `| model folder (Banking77, all training data) | ${(run.bytes / 1e6).toFixed(1)} MB |`,
    ];
  } finally {
    await release(run);
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      "data-root": { type: "string", default: resolve(root, "..", "shared", "data") },
      datasets: { type: "string", default: "banking77,hwu64,snips" },
      shots: { type: "string", default: "10,30" },
      seed: { type: "string", default: "1" },
    },
  });
  const seed = Number(values.seed);
  const shots = values.shots.split(",").filter(Boolean).map(Number);
  const names = values.datasets.split(",").filter(Boolean) as PublicDatasetName[];
  const print = (...lines: string[]) => process.stdout.write(`${lines.join("\n")}\n`);
  print(
    `Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}.`,
    "",
    "| dataset | training data | examples | test accuracy | macro-F1 | escalated (unsure) | precision when sure | training time | model size |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  const loaded = new Map<string, { name: string; train: LabelledExample[]; test: LabelledExample[] }>();
  for (const name of names) {
    const dataset = await publicDatasets[name](values["data-root"]);
    loaded.set(name, dataset);
    print(await accuracyRow(dataset, "all", dataset.train, seed));
    for (const k of shots) {
      print(await accuracyRow(dataset, `${k} random per intent`, sampleShots(dataset.train, k, seed), seed));
      print(await accuracyRow(dataset, `${k} varied per intent`, sampleVariedShots(dataset.train, k, seed), seed));
    }
  }
  const banking = loaded.get("banking77");
  if (banking) {
    print("", ...(await unknownIntents(banking, seed)), "", ...(await latency(banking, seed)));
  }
}
