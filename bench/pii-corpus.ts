/**
 * The labelled PII corpus (`test/fixtures/pii/corpus.jsonl`) and how the engine scores on it. Shared by
 * `npm run bench -- pii` and the corpus test.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { PseudonymVault, type PiiEngine, type Sanitizer } from "../src/pii/index.js";

const LabelSchema = z.strictObject({ type: z.string(), start: z.int(), end: z.int(), value: z.string() });
export const SampleSchema = z.strictObject({ id: z.string(), category: z.string(), text: z.string(), entities: z.array(LabelSchema) });
export type CorpusSample = z.infer<typeof SampleSchema>;

export const CORPUS_PATH = fileURLToPath(new URL("../test/fixtures/pii/corpus.jsonl", import.meta.url));

export function loadCorpus(path = CORPUS_PATH): CorpusSample[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => SampleSchema.parse(JSON.parse(line)));
}

export interface TypeScore {
  type: string;
  labels: number;
  predictions: number;
  /** Labels overlapped by a prediction of the same type. */
  found: number;
  /** Predictions that overlap a label of the same type. */
  correct: number;
  precision: number;
  recall: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/** Per-type precision and recall; a prediction counts when it overlaps a label of its type. */
export function scoreCorpus(engine: PiiEngine, samples: readonly CorpusSample[]): TypeScore[] {
  const byType = new Map<string, TypeScore>();
  const score = (type: string) => {
    let s = byType.get(type);
    if (!s) byType.set(type, (s = { type, labels: 0, predictions: 0, found: 0, correct: 0, precision: 0, recall: 0 }));
    return s;
  };
  for (const sample of samples) {
    const predicted = engine.scan(sample.text);
    for (const label of sample.entities) {
      const s = score(label.type);
      s.labels++;
      if (predicted.some((p) => p.type === label.type && overlaps(p, label))) s.found++;
    }
    for (const prediction of predicted) {
      const s = score(prediction.type);
      s.predictions++;
      if (sample.entities.some((l) => l.type === prediction.type && overlaps(prediction, l))) s.correct++;
    }
  }
  for (const s of byType.values()) {
    s.precision = s.predictions === 0 ? 1 : s.correct / s.predictions;
    s.recall = s.labels === 0 ? 1 : s.found / s.labels;
  }
  return [...byType.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** Totals over all types (micro-averaged). */
export function overall(scores: readonly TypeScore[]): TypeScore {
  const sum = (f: (s: TypeScore) => number) => scores.reduce((n, s) => n + f(s), 0);
  const labels = sum((s) => s.labels);
  const predictions = sum((s) => s.predictions);
  const found = sum((s) => s.found);
  const correct = sum((s) => s.correct);
  return { type: "ALL", labels, predictions, found, correct, precision: correct / predictions, recall: found / labels };
}

export interface Leak {
  id: string;
  type: string;
  value: string;
}

/** A name's words that identify on their own: capitalised, three letters or more (not "y", "de", "J."). */
function namesWords(name: string): string[] {
  return name.split(/[^\p{L}'’]+/u).filter((word) => word.length > 2 && /^\p{Lu}/u.test(word));
}

/** Every word of the messages' text as sent, for whole-word lookups ("Perez" is not sent in "Perezoso"). */
function sentWords(messages: readonly { content?: unknown }[]): Set<string> {
  const text = messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""))).join("\n");
  return new Set(text.split(/[^\p{L}'’]+/u));
}

/**
 * Labelled values that would reach a cloud provider: each prompt goes through `sanitizeForCloud`, and a
 * value leaks if it is still in the sanitized request, or, for a person, any word of the name is (a name
 * masked but for a surname, "<PERSON_1> y Perez", leaks the surname; the whole value is then never sent
 * as written). Blocked and keep-local prompts send nothing.
 */
export function cloudLeaks(sanitizer: Sanitizer, samples: readonly CorpusSample[]): Leak[] {
  const leaks: Leak[] = [];
  for (const sample of samples) {
    const outcome = sanitizer.sanitizeForCloud(
      { model: "cloud-model", messages: [{ role: "user", content: sample.text }] },
      { vault: new PseudonymVault(), tenant: "corpus" },
    );
    if (outcome.kind !== "cloud") continue;
    const sent = JSON.stringify(outcome.request);
    const words = sentWords(outcome.request.messages);
    for (const label of sample.entities) {
      // Looked for as JSON writes it too: a value a soft line break splits holds a line break.
      if (sent.includes(label.value) || sent.includes(JSON.stringify(label.value).slice(1, -1))) leaks.push({ id: sample.id, type: label.type, value: label.value });
      else if (label.type === "PERSON") {
        for (const word of namesWords(label.value)) if (words.has(word)) leaks.push({ id: sample.id, type: label.type, value: word });
      }
    }
  }
  return leaks;
}
