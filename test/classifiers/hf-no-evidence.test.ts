/**
 * A user-brought Hugging Face text-classification model ("used as is") answers like the bundled
 * classifier where the text gives no answer: two intents at exactly the same confidence are too close
 * to call (`unsure`, whatever the threshold), and blank text — whitespace only, or nothing — is no
 * evidence (`unsure`, every intent equally likely), from the library and from `classifier predict`.
 * So is text in which the tokenizer knows no token (every word its unknown token, e.g. `[UNK]`), for
 * such a model and for an encoder with a head trained here, as it is for the bundled n-gram model.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { loadIntentClassifier, ModelMetadataSchema, type IntentClassifier, type IntentPrediction } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { trainEncoderHeadClassifier } from "../../classifiers/training/train-encoder-head.js";
import { runInProcess } from "../support/cli-io.js";
import { tempDir, trainingExamples } from "./fixtures.js";
import { writeTinyEncoder, writeTinyTextClassifier, type TinyTokenizerOptions } from "./tiny-hf-models.js";

const LABELS = ["weather", "music"] as const;
const BLANK = ["   ", "", "\n\t", "\u00a0 \u3000"];
/** Words, a script and symbols no tiny tokenizer here has a token for: each is its unknown token. */
const ALL_UNKNOWN = ["zzz qqq", "你好", "привет мир", "§§ ¤ ⊕"];
/** Named by the tokenizer model alone: not a special added token, not `tokenizer_config.json`'s `unk_token`. */
const UNLISTED_UNK: TinyTokenizerOptions = { unk: { token: "<unk>", listed: false } };
/** As XLM-R's tokenizer: an unknown word comes as the word-boundary piece "▁", then <unk>. */
const SENTENCE_PIECE: TinyTokenizerOptions = { unk: { token: "<unk>", listed: true }, sentencePiece: true };

function expectTooCloseToCall(prediction: IntentPrediction, text: string): void {
  expect(prediction.unsure, JSON.stringify(text)).toBe(true);
  expect(prediction.confidence, JSON.stringify(text)).toBe(0.5);
  expect(prediction.top.map((s) => s.confidence), JSON.stringify(text)).toEqual([0.5, 0.5]);
  expect(LABELS, JSON.stringify(text)).toContain(prediction.intent);
}

describe("a Hugging Face text-classification model used as is", () => {
  let dir: string;
  let folder: string;
  let biased: string;
  const open: IntentClassifier[] = [];
  const load = async (options?: { unsureThreshold?: number }) => {
    const classifier = await loadIntentClassifier(folder, options);
    open.push(classifier);
    return classifier;
  };
  beforeAll(async () => {
    dir = await tempDir();
    folder = join(dir, "two-labels");
    // Logits are the mean of word votes: "rain" votes weather, "jazz" music, so "rain jazz" is a tie.
    await writeTinyTextClassifier(folder, { rain: 0, jazz: 1 }, LABELS);
    // As a real BERT: a [CLS] token starts every input and carries the model's bias (here: weather).
    biased = join(dir, "cls-biased");
    await writeTinyTextClassifier(biased, { rain: 0, jazz: 1 }, LABELS, { clsLabel: 0 });
  });
  afterAll(async () => {
    for (const classifier of open.splice(0)) await classifier.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("is unsure on a tie between its two labels at 0.5, with its default threshold and with any other", async () => {
    for (const options of [undefined, { unsureThreshold: 0.5 }, { unsureThreshold: 0 }]) {
      const classifier = await load(options);
      expectTooCloseToCall(await classifier.classify("rain jazz"), "rain jazz");
      // Not a tie: one vote each way plus one more is a clear answer.
      const clear = await classifier.classify("rain rain jazz");
      expect(clear.intent).toBe("weather");
      expect(clear.unsure).toBe(false);
    }
  });

  it("is unsure, every intent equally likely, on blank text or words it has no token for — not its bias", async () => {
    const model = await loadIntentClassifier(biased, { unsureThreshold: 0.6 });
    open.push(model);
    expect((await model.classify("jazz jazz jazz")).intent).toBe("music");
    // Only [CLS] to read: the model would answer "weather" at 1.0, confidently.
    for (const text of [...BLANK, "zzz qqq", "你好"]) expectTooCloseToCall(await model.classify(text), text);
  });

  it("knows its unknown token from the tokenizer model, when the folder does not list it as special", async () => {
    const folder = join(dir, "unlisted-unk");
    await writeTinyTextClassifier(folder, { rain: 0, jazz: 1 }, LABELS, { clsLabel: 0, ...UNLISTED_UNK });
    const model = await loadIntentClassifier(folder, { unsureThreshold: 0.6 });
    open.push(model);
    for (const text of ALL_UNKNOWN) expectTooCloseToCall(await model.classify(text), text);
    const mixed = await model.classify("你好 jazz jazz jazz");
    expect(mixed.intent).toBe("music");
    expect(mixed.unsure).toBe(false);
  });

  it("reads a word-boundary piece alone (SentencePiece's \"▁\") as no more than the space it stands for", async () => {
    const folder = join(dir, "sentencepiece");
    await writeTinyTextClassifier(folder, { rain: 0, jazz: 1 }, LABELS, { clsLabel: 0, ...SENTENCE_PIECE });
    const model = await loadIntentClassifier(folder, { unsureThreshold: 0.6 });
    open.push(model);
    for (const text of [...BLANK, ...ALL_UNKNOWN]) expectTooCloseToCall(await model.classify(text), text);
    const mixed = await model.classify("你好 jazz jazz jazz");
    expect(mixed.intent).toBe("music");
    expect(mixed.unsure).toBe(false);
  });

  it("classifier predict answers {\"text\":\"   \"} with unsure: true", async () => {
    const stdin = Readable.from(['{"text":"   "}\n', '{"text":"rain jazz"}\n', '{"text":"rain"}\n']);
    const { code, stdout: out } = await runInProcess(classifierCommand, ["predict", "--model", biased], { stdin, env: process.env, cwd: dir });
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n").map((line) => JSON.parse(line) as { text: string; confidence: number; unsure: boolean; intent: string });
    expect(lines.map((l) => [l.text, l.confidence, l.unsure])).toEqual([
      ["   ", 0.5, true],
      ["rain jazz", expect.any(Number), false],
      ["rain", expect.any(Number), false],
    ]);
  });

  /** A tiny encoder knowing every word of the training data, and a head trained on it; threshold 0 flags only ties. */
  async function trainedEncoderHead(name: string, tokenizer: TinyTokenizerOptions = {}) {
    const words = [...new Set(trainingExamples.flatMap((e) => e.text.toLowerCase().split(/\W+/)).filter(Boolean))];
    await writeTinyEncoder(join(dir, `${name}-encoder`), words, 32, tokenizer);
    const out = join(dir, name);
    const { files } = await trainEncoderHeadClassifier(trainingExamples, { encoder: join(dir, `${name}-encoder`), out, valSplit: 0.2 });
    await writeModelFolder(out, files);
    const labels = ModelMetadataSchema.parse(JSON.parse(await readFile(join(out, "switchyard.json"), "utf8"))).labels;
    const head = await loadIntentClassifier(out, { unsureThreshold: 0 });
    open.push(head);
    return { head, labels };
  }

  function expectNoEvidence(prediction: IntentPrediction, labels: readonly string[], text: string): void {
    expect(prediction.unsure, JSON.stringify(text)).toBe(true);
    expect(prediction.confidence, JSON.stringify(text)).toBeCloseTo(1 / labels.length, 10);
    for (const score of prediction.top) expect(score.confidence, JSON.stringify(text)).toBeCloseTo(1 / labels.length, 10);
  }

  it("an encoder with a head trained here is unsure on blank text too, every intent equally likely", async () => {
    const { head, labels } = await trainedEncoderHead("head");
    for (const text of BLANK) expectNoEvidence(await head.classify(text), labels, text);
  });

  it("an encoder with a head trained here is unsure, every intent equally likely, on text all unknown to its tokenizer", async () => {
    const { head, labels } = await trainedEncoderHead("unknown-words");
    // The encoder would embed [UNK] alone, and the head answer that vector as confidently as a word.
    for (const text of ALL_UNKNOWN) expectNoEvidence(await head.classify(text), labels, text);
    // Known words among the unknown ones are read as usual.
    for (const text of ["你好 play some jazz", "§§ will it rain tomorrow in paris ¤"]) {
      const prediction = await head.classify(text);
      expect(prediction.unsure, text).toBe(false);
      expect(prediction.intent, text).toBe(text.includes("jazz") ? "music" : "weather");
    }
  });

  it("an encoder knows its unknown token from the tokenizer model, when the folder does not list it as special", async () => {
    const { head, labels } = await trainedEncoderHead("unlisted-unk", UNLISTED_UNK);
    for (const text of ALL_UNKNOWN) expectNoEvidence(await head.classify(text), labels, text);
    expect((await head.classify("你好 play some jazz")).intent).toBe("music");
  });

  it("an encoder with a SentencePiece tokenizer is unsure the same way: its word-boundary piece alone is no evidence", async () => {
    const { head, labels } = await trainedEncoderHead("sentencepiece", SENTENCE_PIECE);
    for (const text of [...BLANK, ...ALL_UNKNOWN]) expectNoEvidence(await head.classify(text), labels, text);
    // The tiny encoder's vectors are random: a few known words can be outweighed by its "▁" and <unk>
    // vectors (which training saw too: "what's" is "▁what", <unk>); these music words are not.
    const mixed = await head.classify("你好 I want to listen to the beatles");
    expect(mixed.intent).toBe("music");
    expect(mixed.unsure).toBe(false);
  });
});
