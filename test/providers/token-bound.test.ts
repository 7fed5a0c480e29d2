import { getLlama, LlamaLogLevel, LlamaVocabularyType, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frameMessage, framedTokensAtMost, tokensBoundedByBytes } from "../../src/providers/local/token-bound.js";
import { STORIES_MODEL, TINY_RANDOM_MODEL } from "../support/gateway.js";
import { seededRandom } from "../../classifiers/training/random.js";

/** Texts that stress a tokenizer: empty, whitespace runs, byte-fallback scripts, emoji, digits, markup. */
function texts(): string[] {
  const fixed = ["", " ", "  \n\t ", "a", "Hello, world!", "日本語のテキスト", "🙂👍🏽🇩🇪", "1234567890".repeat(20), "<|im_start|>user\n<s></s>[INST]", "ǅ ß ﬁ é é", "\u0000\u0001\u007f"];
  const random = seededRandom(7);
  const alphabet = [..."abc xyz.,!?\n\t0123456789ÄÖÜéñ中文字🙂😀—€ "];
  const generated = Array.from({ length: 300 }, () =>
    Array.from({ length: Math.floor(random.next() * 120) }, () => alphabet[Math.floor(random.next() * alphabet.length)]).join(""),
  );
  return [...fixed, ...generated];
}

let llama: Llama;
const models: [string, LlamaModel][] = [];
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  for (const path of [STORIES_MODEL, TINY_RANDOM_MODEL]) models.push([path, await llama.loadModel({ modelPath: path, vocabOnly: true })]);
});
afterAll(async () => {
  for (const [, model] of models) await model.dispose();
  await llama?.dispose();
});

describe("token upper bound for in-process models", () => {
  it("is never below what the real tokenizers count, so skipping the count never overfills a window", () => {
    for (const [path, model] of models) {
      expect(tokensBoundedByBytes(model.vocabularyType), `${path}: ${model.vocabularyType}`).toBe(true);
      for (const text of texts()) {
        const exact = model.tokenize(frameMessage(text)).length;
        expect(framedTokensAtMost(text), `${path}: ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(exact);
      }
    }
  });

  it("is not claimed for vocabularies that normalise text first, which can expand it", () => {
    expect(tokensBoundedByBytes(LlamaVocabularyType.ugm)).toBe(false);
    expect(tokensBoundedByBytes(LlamaVocabularyType.wpm)).toBe(false);
  });
});
