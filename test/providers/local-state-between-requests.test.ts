/**
 * The in-process model's context sequences serve every tenant in turn. node-llama-cpp keeps what a
 * sequence last evaluated and skips the part of the next prompt that starts the same way, so a prompt
 * that shares a beginning with the one before it is answered sooner: tenant B, handed the sequence
 * tenant A just used (the pool hands out the last one freed), could time guesses at A's prompt. Another
 * tenant's request evaluates the whole of its prompt; a tenant's own next turn still reuses its own.
 * Both prompt shapes: a plain completion prompt (stories260K has no template) and a chat template.
 */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LocalModelRuntime } from "../../src/providers/local/runtime.js";
import { withChatTemplate, type TemplatedModel } from "../support/chat-template-model.js";
import { STORIES_MODEL } from "../support/gateway.js";
import { storiesEntry } from "../support/stories-entry.js";

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
});
afterAll(async () => {
  await llama?.dispose();
});

const PROMPT = "Once upon a time there was a little girl named Lily who loved her red ball.";
const request = (content: string) => ({ model: "stories", messages: [{ role: "user", content }], max_tokens: 4, temperature: 0 }) as ChatCompletionRequest;

describe.each([false, true])("the in-process model between requests (chat template: %s)", (templated) => {
  let runtime: LocalModelRuntime;
  let template: TemplatedModel | undefined;
  beforeAll(async () => {
    template = templated ? await withChatTemplate(STORIES_MODEL) : undefined;
    const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel: 1, queue: 4, queue_timeout_ms: 5_000 });
    runtime = await LocalModelRuntime.load(llama, { ...storiesEntry({ contextWindow: 512, maxOutputTokens: 8 }), ...(template ? { path: template.path } : {}) }, config, 1);
    expect(runtime.usesChatTemplate).toBe(templated);
  });
  afterAll(async () => {
    await runtime?.dispose();
    await template?.remove();
  });

  const ask = (content: string, tenant: string) => runtime.generate(request(content), new AbortController().signal, {}, tenant);

  /** The prompt tokens `next` made the one sequence (parallel: 1) evaluate, read as the next request would get it. */
  async function evaluatedBy(next: () => Promise<unknown>): Promise<number> {
    const meter = async () => {
      const slot = await runtime.pool.acquire(new AbortController().signal);
      try {
        return slot.sequence.tokenMeter.usedInputTokens;
      } finally {
        runtime.pool.release(slot);
      }
    };
    const before = await meter();
    await next();
    return (await meter()) - before;
  }

  it("evaluates the whole prompt of another tenant's request that starts like the one before it", async () => {
    await ask(`${PROMPT} Tenant A's private note: the merger closes on Friday.`, "acme");
    // node-llama-cpp meters the prompt's last token with the answer's first: the rest is input. A state
    // reused from acme's request would have evaluated a few tokens at most.
    expect(await evaluatedBy(() => ask(PROMPT, "globex"))).toBeGreaterThanOrEqual(runtime.promptTokens(request(PROMPT)) - 2);
  });

  it("reuses what a tenant's last request evaluated for its next one", async () => {
    await ask(`${PROMPT} And then?`, "acme");
    expect(await evaluatedBy(() => ask(`${PROMPT} And then?`, "acme"))).toBeLessThan(runtime.promptTokens(request(PROMPT)) / 2);
  });
});
