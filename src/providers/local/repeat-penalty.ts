/**
 * OpenAI's `frequency_penalty` and `presence_penalty` for the in-process model. llama.cpp's penalties
 * sampler lowers a token's logit by `count × frequency + (count > 0) × presence`, OpenAI's own formula,
 * so the client's numbers are used as sent, over OpenAI's range (-2 to 2).
 */
import type { LLamaContextualRepeatPenalty } from "node-llama-cpp";
import { z } from "zod";
import { validateBody } from "../../api/parse-body.js";

const Penalty = z.number().min(-2).max(2).nullish();
// A plain object: the parse copies these two fields only, not the rest of the request.
const PenaltiesSchema = z.object({ frequency_penalty: Penalty, presence_penalty: Penalty });

/**
 * The sampler's repeat penalty for a request, or undefined when it asks none. Throws a 400 naming the
 * parameter when a penalty is not a number from -2 to 2: the model would otherwise sample without it.
 *
 * @example generate(prompt, { maxTokens, repeatPenalty: repeatPenalty(request, maxTokens) });
 */
export function repeatPenalty(request: object, maxTokens: number): LLamaContextualRepeatPenalty | undefined {
  const penalties = validateBody(PenaltiesSchema, request);
  const frequencyPenalty = penalties.frequency_penalty ?? 0;
  const presencePenalty = penalties.presence_penalty ?? 0;
  if (frequencyPenalty === 0 && presencePenalty === 0) return undefined;
  return {
    frequencyPenalty,
    presencePenalty,
    // OpenAI's penalties only subtract from logits, and count every token sampled so far, newlines
    // too: no repeat factor, and not node-llama-cpp's last 64 tokens with newlines spared.
    penalty: 1,
    lastTokens: maxTokens,
    penalizeNewLine: true,
  };
}

/** Checks a request's penalties before it waits for the model, with the 400 `repeatPenalty` would give. */
export function assertPenaltiesInRange(request: object): void {
  validateBody(PenaltiesSchema, request);
}
