/**
 * A small labelled dataset the classifier tests write and train on: four intents built from
 * templates (so every phrase is clear), plus a fifth intent kept out of training to stand for
 * "none of the known intents".
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

export interface Example {
  text: string;
  label: string;
}

/** Every start × end combination; the diagonal (i === j) is kept out of training as unseen queries. */
function expand(label: string, starts: string[], ends: string[]): (Example & { unseen: boolean })[] {
  return starts.flatMap((start, i) => ends.map((end, j) => ({ text: `${start} ${end}`, label, unseen: i === j })));
}

const allExamples: (Example & { unseen: boolean })[] = [
  ...expand(
    "weather",
    ["what's the weather", "will it rain", "how cold will it be", "is it going to be sunny", "weather forecast"],
    ["today", "tomorrow in paris", "this weekend", "tonight near me", "in london on monday"],
  ),
  ...expand(
    "music",
    ["play some", "put on", "I want to listen to", "shuffle my", "start playing"],
    ["jazz", "rock music", "the beatles", "my workout playlist", "relaxing piano songs"],
  ),
  ...expand(
    "alarm",
    ["set an alarm", "wake me up", "remind me with an alarm", "create an alarm", "I need an alarm"],
    ["at 7 am", "in twenty minutes", "for tomorrow morning", "at six thirty", "every weekday at 8"],
  ),
  ...expand(
    "recipe",
    ["how do I cook", "give me a recipe for", "what ingredients do I need for", "how long should I bake", "show me how to make"],
    ["lasagna", "banana bread", "a vegan curry", "chocolate chip cookies", "pancakes"],
  ),
];

export const trainingExamples: Example[] = allExamples.filter((e) => !e.unseen).map(({ text, label }) => ({ text, label }));

/** Clear queries of each trained intent that are not in the training data (new combinations of its phrases). */
export const clearQueries: Example[] = allExamples.filter((e) => e.unseen).map(({ text, label }) => ({ text: `${text}?`, label }));

/** Queries of an intent the model never saw (bank transfers). */
export const heldOutIntentQueries = [
  "transfer 200 dollars to my savings account",
  "what is my checking account balance",
  "block my credit card, I lost it",
  "why was I charged an overdraft fee",
  "open a new bank account",
  "send money to john via wire transfer",
];

export const nonsenseQueries = ["xq zzv plonk", "qwertyuiop asdfgh", "blorf gnix wub"];

export async function tempDir(prefix = "switchyard-classifier-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * A temporary folder made before the test file's tests and removed after them: call the returned
 * function (in a test or hook) for its path.
 */
export function useTempDir(prefix?: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await tempDir(prefix);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("useTempDir: the folder exists only in a test or hook");
    return dir;
  };
}

export async function writeJsonl(path: string, rows: readonly object[]): Promise<string> {
  await writeFile(path, rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
  return path;
}
