/**
 * A count of prompt tokens a llama.cpp tokenizer cannot exceed, without running it. For SentencePiece
 * (SPM) and byte-level BPE vocabularies every token stands for at least one byte of the text, and a
 * tokenizer that adds a leading-space prefix adds at most one token more. Vocabularies that normalise
 * text first (UGM, WPM) can expand it (NFKC turns one character into up to 18), so they get no bound.
 */
import { LlamaVocabularyType } from "node-llama-cpp";

/** How a message is framed for counting in a plain prompt (message-framing.ts), the longest role prefix. */
export const frameMessage = (text: string) => `Assistant: ${text}\n\n`;

const FRAMING_BYTES = Buffer.byteLength(frameMessage(""), "utf8");

/** Whether `framedTokensAtMost` holds for a model with this vocabulary. */
export function tokensBoundedByBytes(vocabulary: LlamaVocabularyType): boolean {
  return vocabulary === LlamaVocabularyType.spm || vocabulary === LlamaVocabularyType.bpe;
}

/** At least `model.tokenize(frameMessage(text)).length` for an SPM or BPE model. */
export function framedTokensAtMost(text: string): number {
  return Buffer.byteLength(text, "utf8") + FRAMING_BYTES + 1;
}
