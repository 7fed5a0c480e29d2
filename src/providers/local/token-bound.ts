/**
 * A count of prompt tokens a llama.cpp tokenizer cannot exceed, without running it: every token of
 * a llama.cpp vocabulary (SentencePiece and BPE with byte fallback alike) stands for at least one
 * byte of text, and a tokenizer that adds a leading-space prefix adds at most one token more.
 */

/** How `ProviderSet.countMessageTokens` frames a message for an in-process model. */
export const frameMessage = (text: string) => `Assistant: ${text}\n\n`;

const FRAMING_BYTES = Buffer.byteLength(frameMessage(""), "utf8");

/** At least `model.tokenize(frameMessage(text)).length`, for any llama.cpp model. */
export function framedTokensAtMost(text: string): number {
  return Buffer.byteLength(text, "utf8") + FRAMING_BYTES + 1;
}
