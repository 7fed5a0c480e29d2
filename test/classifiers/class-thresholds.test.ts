/**
 * Each intent has its own `unsure` threshold: an intent the model answers with habitually high
 * confidence needs more confidence before a query is kept as that intent, because queries of no known
 * intent mistaken for it come out confident too. One threshold for every intent lets those through.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClassifierModelError, loadIntentClassifier } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { predictionFromLogits } from "../../classifiers/runtime/intent-classifier.js";
import { calibrateOnHeldOut } from "../../classifiers/training/calibration.js";
import { seededRandom } from "../../classifiers/training/random.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { clearQueries, tempDir, trainingExamples } from "./fixtures.js";

/**
 * Held-out logits of three intents: "sharp" is answered with large margins, "vague" with small ones,
 * "middle" in between; a few of each are answered wrongly, with middling margins.
 */
function heldOut(): { logits: Float32Array[]; labels: number[] } {
  const random = seededRandom(3);
  const logits: Float32Array[] = [];
  const labels: number[] = [];
  const margins = [6, 3.5, 1.5];
  for (let label = 0; label < 3; label++) {
    for (let n = 0; n < 40; n++) {
      const row = new Float32Array(3).map(() => random.next());
      const wrong = n % 8 === 0;
      const answer = wrong ? (label + 1) % 3 : label;
      row[answer] = (row[answer] as number) + (wrong ? 2 : (margins[label] as number) + random.next());
      logits.push(row);
      labels.push(label);
    }
  }
  return { logits, labels };
}

describe("calibrating the unsure thresholds on held-out predictions", () => {
  const { logits, labels } = heldOut();
  const calibration = calibrateOnHeldOut(logits, labels, 0.9);

  it("gives an intent answered more confidently a higher threshold", () => {
    const [sharp, middle, vague] = calibration.classThresholds as [number, number, number];
    expect(sharp).toBeGreaterThan(middle);
    expect(middle).toBeGreaterThan(vague);
    expect(sharp).toBeGreaterThan(calibration.unsureThreshold);
    expect(vague).toBeLessThan(calibration.unsureThreshold);
  });

  it("still keeps only as many held-out answers as the target precision allows", () => {
    expect(calibration.heldOutConfidentPrecision).toBeGreaterThanOrEqual(0.9);
    expect(calibration.heldOutEscalationRate).toBeGreaterThan(0);
    expect(calibration.heldOutEscalationRate).toBeLessThan(1);
  });

  it("has no thresholds per intent without held-out predictions", () => {
    expect(calibrateOnHeldOut([], [], 0.9)).toMatchObject({ unsureThreshold: 0, classThresholds: null });
  });
});

describe("a prediction's unsure flag", () => {
  const labels = ["sharp", "vague"];
  const calibration = { temperature: 1, unsureThreshold: 0.75, classThresholds: [0.9, 0.6] };

  it("compares the confidence with the predicted intent's own threshold", () => {
    // log(4) puts 0.8 on the first logit's intent.
    expect(predictionFromLogits([Math.log(4), 0], labels, calibration, 2)).toMatchObject({ intent: "sharp", confidence: 0.8, unsure: true });
    expect(predictionFromLogits([0, Math.log(4)], labels, calibration, 2)).toMatchObject({ intent: "vague", confidence: 0.8, unsure: false });
  });

  it("uses the one threshold for every intent when the model has none per intent", () => {
    const { classThresholds: _perIntent, ...single } = calibration;
    expect(predictionFromLogits([Math.log(4), 0], labels, single, 2).unsure).toBe(false);
    expect(predictionFromLogits([Math.log(2), 0], labels, single, 2).unsure).toBe(true);
  });
});

describe("a trained model folder", { timeout: 120_000 }, () => {
  let dir: string;
  let labels: string[];
  const metadataFile = () => join(dir, "switchyard.json");
  const rewriteCalibration = async (change: (calibration: Record<string, unknown>) => void) => {
    const metadata = JSON.parse(await readFile(metadataFile(), "utf8")) as { calibration: Record<string, unknown> };
    change(metadata.calibration);
    await writeFile(metadataFile(), JSON.stringify(metadata));
  };

  beforeAll(async () => {
    dir = await tempDir("switchyard-class-thresholds-");
    const options = TrainClassifierOptionsSchema.parse({ valSplit: 0.2, memberRepeats: 1 });
    const { files } = await trainNgramClassifier(trainingExamples, options);
    await writeModelFolder(dir, files);
    labels = (JSON.parse(await readFile(metadataFile(), "utf8")) as { labels: string[] }).labels;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores one threshold per intent, in label order", async () => {
    const { calibration } = JSON.parse(await readFile(metadataFile(), "utf8")) as { calibration: { classThresholds: number[] } };
    expect(calibration.classThresholds).toHaveLength(labels.length);
    for (const threshold of calibration.classThresholds) expect(threshold).toBeGreaterThanOrEqual(0);
  });

  it("flags an intent's queries unsure when that intent's threshold says so, and only that intent's", async () => {
    const music = labels.indexOf("music");
    await rewriteCalibration((calibration) => {
      calibration.unsureThreshold = 0;
      calibration.classThresholds = labels.map((_, i) => (i === music ? 1 : 0));
    });
    const classifier = await loadIntentClassifier(dir);
    try {
      for (const query of clearQueries) {
        const prediction = await classifier.classify(query.text);
        expect(prediction.intent, query.text).toBe(query.label);
        expect(prediction.unsure, query.text).toBe(query.label === "music");
      }
    } finally {
      await classifier.dispose();
    }
    // The caller's threshold is one threshold for every intent.
    const overridden = await loadIntentClassifier(dir, { unsureThreshold: 0 });
    try {
      const musicQuery = clearQueries.find((q) => q.label === "music")!;
      expect((await overridden.classify(musicQuery.text)).unsure).toBe(false);
    } finally {
      await overridden.dispose();
    }
  });

  it("loads a folder trained before thresholds per intent existed, with its one threshold", async () => {
    await rewriteCalibration((calibration) => {
      delete calibration.classThresholds;
      calibration.unsureThreshold = 1;
    });
    const classifier = await loadIntentClassifier(dir);
    try {
      expect((await classifier.classify(clearQueries[0]!.text)).unsure).toBe(true);
    } finally {
      await classifier.dispose();
    }
  });

  it("refuses thresholds that do not match the labels, naming the field", async () => {
    await rewriteCalibration((calibration) => {
      calibration.classThresholds = [0.5];
    });
    const error = await loadIntentClassifier(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ClassifierModelError);
    expect((error as Error).message).toMatch(/calibration\.classThresholds needs one threshold per label/);
  });
});
