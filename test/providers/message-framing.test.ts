/**
 * A local model's message counts, which the pipeline trims conversations by, against the prompt its
 * runtime really renders: never fewer tokens (the trimmed conversation would not fit), and not many
 * more (turns would be dropped for nothing).
 */
import { getLlama, LlamaLogLevel, resolveChatWrapper, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { templateFraming } from "../../src/providers/local/message-framing.js";
import { toChatHistory } from "../../src/providers/local/prompt.js";
import { seededRandom } from "../../classifiers/training/random.js";
import { CHATML_TEMPLATE, withChatTemplate, type TemplatedModel } from "../support/chat-template-model.js";
import { STORIES_MODEL } from "../support/gateway.js";

const TEMPLATES = {
  // node-llama-cpp recognises it and uses its own ChatML wrapper.
  chatml: CHATML_TEMPLATE,
  // Rendered by node-llama-cpp's Jinja wrapper: the system prompt folds into the first user turn.
  llama2:
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}" +
    "{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}" +
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
  // Plain-text markers, which the tokenizer can merge with the text beside them.
  markdown:
    "{% for message in messages %}{{ '### ' + message['role'] + ':\\n' + message['content'] + '\\n\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '### assistant:\\n' }}{% endif %}",
};

/**
 * Conversations of every length up to 40 turns, of texts that tokenize unevenly. None is empty: a
 * template may leave an empty message out, which makes its count a whole turn too many (safe).
 */
function conversations(): ChatMessage[][] {
  const random = seededRandom(11);
  const words = ["dog", " park", "Once", "upon a time", "日本", "🙂", "\n", "  ", "1234", "über", "<|im_end|>", "[INST]", ".", ","];
  const text = () => Array.from({ length: 1 + Math.floor(random.next() * 30) }, () => words[Math.floor(random.next() * words.length)]).join("");
  const all: ChatMessage[][] = [];
  for (let turns = 1; turns <= 40; turns++) {
    const messages: ChatMessage[] = random.next() < 0.7 ? [{ role: "system", content: text() }] : [];
    for (let i = 0; i < turns; i++) messages.push({ role: i % 2 ? "assistant" : "user", content: text() } as ChatMessage);
    all.push(messages);
  }
  return all;
}

let llama: Llama;
const loaded: { name: string; file: TemplatedModel; model: LlamaModel }[] = [];
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  for (const [name, template] of Object.entries(TEMPLATES)) {
    const file = await withChatTemplate(STORIES_MODEL, template);
    loaded.push({ name, file, model: await llama.loadModel({ modelPath: file.path, vocabOnly: true }) });
  }
});
afterAll(async () => {
  for (const { file, model } of loaded) {
    await model.dispose();
    await file.remove();
  }
  await llama?.dispose();
});

describe("message counts for a local model with a chat template", () => {
  it("cover the prompt the runtime renders, and exceed it by no more than a turn's markers", () => {
    for (const { name, model } of loaded) {
      const wrapper = resolveChatWrapper(model)!;
      const framing = templateFraming(model, wrapper);
      for (const messages of conversations()) {
        const history = [...toChatHistory(messages), { type: "model" as const, response: [] }];
        const rendered = wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
        const counted = framing.promptTokens + messages.reduce((sum, m) => sum + framing.messageTokens(m), 0);
        expect(counted, `${name}: ${messages.length} messages`).toBeGreaterThanOrEqual(rendered);
        expect(counted - rendered, `${name}: ${messages.length} messages`).toBeLessThanOrEqual(40);
      }
    }
  });

  it("have a cheap bound that is never below them", () => {
    for (const { name, model } of loaded) {
      const framing = templateFraming(model, resolveChatWrapper(model)!);
      for (const message of conversations().flat()) {
        expect(framing.messageTokensAtMost(message), `${name}: ${JSON.stringify(message)}`).toBeGreaterThanOrEqual(framing.messageTokens(message));
      }
    }
  });
});
