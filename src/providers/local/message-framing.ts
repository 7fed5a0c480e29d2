/**
 * What one message costs in the prompt an in-process model is given, so the pipeline trims a
 * conversation to what really fits. A plain prompt frames each message as `Role: text` and a blank
 * line; a chat template frames it with its own turn markers, which can cost many times more (ChatML's
 * `<|im_start|>user\n…<|im_end|>\n` is a dozen tokens or more for a vocabulary without them as
 * special tokens). The template's framing is measured once, when the model loads: counting then
 * tokenizes each message's text once, as before, and adds a number.
 */
import type { ChatHistoryItem, ChatWrapper, LlamaModel } from "node-llama-cpp";
import { promptText, type ChatMessage } from "../../api/chat-request.js";
import { frameMessage, framedTokensAtMost, tokensBoundedByBytes } from "./token-bound.js";

export interface MessageFraming {
  /** Prompt tokens besides the messages' own: a template's opening token and the turn the answer goes in. */
  readonly promptTokens: number;
  /** Prompt tokens `message` costs, its turn's framing included. */
  messageTokens(message: ChatMessage): number;
  /** A count `messageTokens` never exceeds, found without tokenizing; undefined when the vocabulary has none. */
  messageTokensAtMost(message: ChatMessage): number | undefined;
}

type Turn = ChatHistoryItem["type"];

/** The turn a message becomes in node-llama-cpp's chat history (as `toChatHistory` in prompt.ts maps it). */
function turnOf(message: ChatMessage): Turn {
  if (message.role === "system" || message.role === "developer") return "system";
  return message.role === "user" ? "user" : "model";
}

function historyItem(turn: Turn, text: string): ChatHistoryItem {
  return turn === "model" ? { type: "model", response: [text] } : { type: turn, text };
}

/**
 * Without a template (prompt.ts's `renderPlainPrompt`): every message counted as `Assistant: text`
 * and a blank line, the longest of the role prefixes. The opening token and the closing `Assistant:`
 * are within the pipeline's fixed slack.
 */
export function plainFraming(model: LlamaModel): MessageFraming {
  const bounded = tokensBoundedByBytes(model.vocabularyType);
  return {
    promptTokens: 0,
    messageTokens: (message) => model.tokenize(frameMessage(promptText(message))).length,
    messageTokensAtMost: (message) => (bounded ? framedTokensAtMost(promptText(message)) : undefined),
  };
}

/** Texts the framing is measured around: tokens can merge across a turn marker differently for each. */
const PROBE_TEXTS = ["a", "Hello, world.", " Once upon a time\n", "1. 日本 🙂"];

/** Conversations a message is added to when measuring: some templates frame a turn by what precedes it. */
const PROBE_HISTORIES: ChatHistoryItem[][] = [
  [],
  [historyItem("system", "Be brief.")],
  [historyItem("user", "Hi.")],
  [historyItem("system", "Be brief."), historyItem("user", "Hi."), historyItem("model", "Hello.")],
];

/**
 * With a template: a message's text tokenized as the runtime's `LlamaText` tokenizes it (no leading
 * space added), plus the most its turn's framing added to any probe conversation, measured by
 * rendering the prompt the runtime renders (runtime.ts `preparePrompt`) with and without it.
 */
export function templateFraming(model: LlamaModel, wrapper: ChatWrapper): MessageFraming {
  const textTokens = (text: string) => model.tokenize(text, false, "trimLeadingSpace").length;
  const promptTokens = (history: ChatHistoryItem[]) =>
    wrapper.generateContextState({ chatHistory: [...history, { type: "model", response: [] }] }).contextText.tokenize(model.tokenizer).length;

  const overhead = { system: 0, user: 0, model: 0 } satisfies Record<Turn, number>;
  for (const history of PROBE_HISTORIES) {
    const before = promptTokens(history);
    for (const turn of Object.keys(overhead) as Turn[]) {
      for (const text of PROBE_TEXTS) {
        const added = promptTokens([...history, historyItem(turn, text)]) - before - textTokens(text);
        overhead[turn] = Math.max(overhead[turn], added);
      }
    }
  }
  const bounded = tokensBoundedByBytes(model.vocabularyType);
  return {
    promptTokens: promptTokens([]),
    messageTokens: (message) => textTokens(promptText(message)) + overhead[turnOf(message)],
    // token-bound.ts: at most a token per byte, and one more for a leading-space prefix.
    messageTokensAtMost: (message) => (bounded ? Buffer.byteLength(promptText(message), "utf8") + 1 + overhead[turnOf(message)] : undefined),
  };
}
