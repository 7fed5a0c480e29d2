/**
 * The swap of a retrained classifier under load: a request classifying on the old model when the new
 * one goes live gets its answer from the old model, which is freed (its ONNX session disposed) only
 * after that — never under a running inference — and a folder that did not change is not loaded again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIntentClassifier, type IntentClassifier, type IntentPrediction } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { LiveClassifier } from "../../src/policy/live-classifier.js";
import { trainingExamples } from "../classifiers/fixtures.js";

let dir: string;
let twoIntents: Awaited<ReturnType<typeof trainNgramClassifier>>["files"];
let threeIntents: typeof twoIntents;
beforeAll(async () => {
  const options = TrainClassifierOptionsSchema.parse({ valSplit: 0.2, members: ["all"], memberRepeats: 1 });
  const [two, three] = await Promise.all(
    [["weather", "music"], ["weather", "music", "recipe"]].map(async (labels) => (await trainNgramClassifier(trainingExamples.filter((e) => labels.includes(e.label)), options)).files),
  );
  twoIntents = two!;
  threeIntents = three!;
  dir = join(await mkdtemp(join(tmpdir(), "switchyard-live-")), "model");
  await writeModelFolder(dir, twoIntents);
}, 240_000);
afterAll(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

interface Tracked {
  classifier: IntentClassifier;
  disposed: boolean;
  /** Holds the next classify call until released. */
  hold(): () => void;
}

/** Real models from the folder, each recording its disposal, with a way to hold a classification mid-call. */
function trackingLoader() {
  const loaded: Tracked[] = [];
  const load = async (folder: string): Promise<IntentClassifier> => {
    const real = await loadIntentClassifier(folder);
    let gate: Promise<void> | undefined;
    const tracked: Tracked = {
      disposed: false,
      hold() {
        let release!: () => void;
        gate = new Promise((resolve) => (release = resolve));
        return release;
      },
      classifier: {
        labels: real.labels,
        version: real.version,
        async classify(text: string): Promise<IntentPrediction> {
          if (tracked.disposed) throw new Error("classify on a disposed model");
          const answer = await real.classify(text);
          await gate;
          if (tracked.disposed) throw new Error("model disposed during classify");
          return answer;
        },
        async dispose() {
          tracked.disposed = true;
          await real.dispose();
        },
      },
    };
    loaded.push(tracked);
    return tracked.classifier;
  };
  return { load, loaded };
}

describe("LiveClassifier", { timeout: 60_000 }, () => {
  it("frees a swapped-out model only after the calls running on it have answered", async () => {
    const { load, loaded } = trackingLoader();
    const live = await LiveClassifier.open({ dir, load, log: pino({ level: "silent" }) });
    expect(await live.reload!.prepare()).toBeUndefined(); // nothing changed: nothing loaded
    expect(loaded).toHaveLength(1);

    const release = loaded[0]!.hold();
    const running = live.classify("will it rain tomorrow in paris");
    await writeModelFolder(dir, threeIntents);
    const next = await live.reload!.prepare();
    expect(next?.labels).toHaveLength(3);
    next!.commit();
    expect(live.labels).toHaveLength(3);
    expect(loaded[0]!.disposed).toBe(false); // a call is still running on it

    release();
    expect((await running).intent).toBe("weather");
    await expect.poll(() => loaded[0]!.disposed).toBe(true);
    expect((await live.classify("how do I cook lasagna")).intent).toBe("recipe");

    await live.dispose();
    expect(loaded[1]!.disposed).toBe(true);
  });

  it("discards a prepared model the policy refused, keeping the one answering", async () => {
    const { load, loaded } = trackingLoader();
    const before = join(dir, "..", "refused");
    await writeModelFolder(before, threeIntents);
    const live = await LiveClassifier.open({ dir: before, load, log: pino({ level: "silent" }) });
    const version = live.version;
    await writeModelFolder(before, twoIntents);
    const next = await live.reload!.prepare();
    expect(next).toBeDefined();
    await next!.discard();
    expect(loaded[1]!.disposed).toBe(true);
    expect(live.version).toBe(version);
    expect(loaded[0]!.disposed).toBe(false);
    await live.dispose();
  });
});

describe("a model folder caught half copied", { timeout: 60_000 }, () => {
  it("is refused when its metadata names more labels than its graph answers, so it never answers", async () => {
    const mixed = join(dir, "..", "mixed");
    await writeModelFolder(mixed, twoIntents);
    // The new metadata has arrived, the old graph has not yet been overwritten (a file-by-file copy).
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(mixed, "switchyard.json"), threeIntents.get("switchyard.json") as string | Uint8Array);
    await writeFile(join(mixed, "config.json"), threeIntents.get("config.json") as string | Uint8Array);
    await expect(loadIntentClassifier(mixed)).rejects.toThrow(/answers 2 scores for 3 labels/);
  });
});

describe("a closed LiveClassifier", { timeout: 60_000 }, () => {
  it("refuses to classify, saying it is closed, and frees its model once", async () => {
    const { load, loaded } = trackingLoader();
    const lines: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => void lines.push(line) });
    const live = await LiveClassifier.open({ dir, load, log });
    await live.dispose();
    await expect(live.classify("will it rain tomorrow in paris")).rejects.toThrow(/closed/);
    await live.dispose();
    expect(loaded[0]!.disposed).toBe(true);
    expect(lines).toEqual([]); // no "could not be disposed" error from a second disposal
  });
});
