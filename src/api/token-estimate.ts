/**
 * Token counts where no tokenizer is at hand (the routing policy's `prompt_tokens_*` and context-window
 * checks, cloud models, the policy CLI), plus what a chat template adds around each message. The
 * pipeline uses the model's own tokenizer whenever it prepares a call for a model that has one.
 *
 * Tokenizers are trained mostly on English: ≈4 ASCII characters make a token, but a character that
 * takes more UTF-8 bytes takes more of a token. Measured on a Llama 2 tokenizer: Cyrillic ≈0.4 token
 * per character, Greek and Arabic ≈1, Chinese, Japanese and Korean 1.5–1.8, an emoji 3 or more;
 * OpenAI's tokenizers need fewer. So a character counts by its UTF-16 code unit:
 *
 * | characters | tokens each |
 * |---|---|
 * | ASCII | ¼ |
 * | U+0080–U+07FF (accented Latin, Greek, Cyrillic, Hebrew, Arabic…) | ½ |
 * | the rest of the BMP (CJK, kana, hangul, Indic scripts, symbols…) | 1 |
 * | beyond the BMP (emoji, rare CJK), two UTF-16 units | 2 |
 *
 * A middle estimate, not a bound: the local model's runtime counts exactly when a call is prepared,
 * and a target too small by that count is skipped for the next one of the chain.
 */

/** A token in quarters: what `tokenQuarters` counts in, so a text is sized in one pass without fractions. */
const QUARTERS_PER_TOKEN = 4;

/** Tokens a chat template adds around each message (role markers, separators). */
export const MESSAGE_FRAMING_TOKENS = 4;

/**
 * Quarter tokens of `text` (see the table above): one pass over its UTF-16 code units, nothing
 * allocated. Sum them over several texts and turn the sum into tokens once, with `tokensForQuarters`.
 */
export function tokenQuarters(text: string): number {
  let quarters = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A surrogate half is ≥ U+0800: each of a pair counts a token, the pair two.
    quarters += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 4;
  }
  return quarters;
}

export const tokensForQuarters = (quarters: number): number => Math.ceil(quarters / QUARTERS_PER_TOKEN);

export const estimateTokens = (text: string): number => tokensForQuarters(tokenQuarters(text));
