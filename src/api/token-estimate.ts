/**
 * Token counts where no tokenizer is at hand (cloud models, the policy CLI): ≈4 characters per token
 * for English text, plus what a chat template adds around each message. The pipeline uses the local
 * model's own tokenizer whenever it has one.
 */
const CHARS_PER_TOKEN = 4;

/** Tokens a chat template adds around each message (role markers, separators). */
export const MESSAGE_FRAMING_TOKENS = 4;

export const estimateTokensForChars = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

export const estimateTokens = (text: string): number => estimateTokensForChars(text.length);
