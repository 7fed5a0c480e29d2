/**
 * The in-process model's context sequences serve every tenant in turn. node-llama-cpp keeps what a
 * sequence last evaluated and skips the part of the next prompt that starts the same way, so a prompt
 * that shares a beginning with the one before it is answered sooner: tenant B, handed the sequence
 * tenant A last used, could time guesses at A's prompt. Another
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
const request = (content: string | ChatCompletionRequest["messages"]) => ({ model: "stories", messages: typeof content === "string" ? [{ role: "user", content }] : content, max_tokens: 4, temperature: 0 }) as ChatCompletionRequest;

/** The prompt tokens `next` made the runtime's sequences evaluate, read while none is in use. */
async function evaluatedOn(runtime: LocalModelRuntime, next: () => Promise<unknown>): Promise<number> {
  const meter = async () => {
    const slots = [];
    while (runtime.pool.available > 0) slots.push(await runtime.pool.acquire(new AbortController().signal));
    // Given back in the order they were free, so the next request is handed the sequence it would have been.
    for (const slot of slots.reverse()) runtime.pool.release(slot);
    return slots.reduce((sum, slot) => sum + slot.sequence.tokenMeter.usedInputTokens, 0);
  };
  const before = await meter();
  await next();
  return (await meter()) - before;
}

interface Loaded {
  runtime: LocalModelRuntime;
  remove(): Promise<void>;
}

/** stories260K with `parallel` sequences, prompted plainly or through a chat template. */
async function loadStories(templated: boolean, parallel: number): Promise<Loaded> {
  const template = templated ? await withChatTemplate(STORIES_MODEL) : undefined;
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel, queue: 4, queue_timeout_ms: 5_000 });
  const runtime = await LocalModelRuntime.load(llama, { ...storiesEntry({ contextWindow: 512, maxOutputTokens: 8 }), ...(template ? { path: template.path } : {}) }, config, 1);
  expect(runtime.usesChatTemplate).toBe(templated);
  return {
    runtime,
    remove: async () => {
      await runtime.dispose();
      await template?.remove();
    },
  };
}

describe.each([false, true])("the in-process model between requests (chat template: %s)", (templated) => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await loadStories(templated, 1);
  });
  afterAll(() => loaded?.remove());
  const runtime = () => loaded.runtime;

  const ask = (content: string, tenant: string) => runtime().generate(request(content), new AbortController().signal, {}, tenant);

  const evaluatedBy = (next: () => Promise<unknown>) => evaluatedOn(runtime(), next);

  it("evaluates the whole prompt of another tenant's request that starts like the one before it", async () => {
    await ask(`${PROMPT} Tenant A's private note: the merger closes on Friday.`, "acme");
    // node-llama-cpp meters the prompt's last token with the answer's first: the rest is input. A state
    // reused from acme's request would have evaluated a few tokens at most.
    expect(await evaluatedBy(() => ask(PROMPT, "globex"))).toBeGreaterThanOrEqual(runtime().promptTokens(request(PROMPT)) - 2);
  });

  it("reuses what a tenant's last request evaluated for its next one", async () => {
    await ask(`${PROMPT} And then?`, "acme");
    expect(await evaluatedBy(() => ask(`${PROMPT} And then?`, "acme"))).toBeLessThan(runtime().promptTokens(request(PROMPT)) / 2);
  });
});

describe.each([false, true])("conversations taking turns on the in-process model (chat template: %s)", (templated) => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await loadStories(templated, 2);
  });
  afterAll(() => loaded?.remove());
  const runtime = () => loaded.runtime;

  it("answers each conversation's next turn on the sequence that holds the conversation so far", async () => {
    // Each begins with a turn answered already: a plain prompt of a lone user message is not a transcript,
    // so the next turn's prompt would not start with it.
    const firstTurns = [PROMPT, "Tom had a big dog called Max who liked to run in the park with a stick."].map(
      (opening): ChatCompletionRequest["messages"] => [
        { role: "user", content: opening },
        { role: "assistant", content: "Yes." },
        { role: "user", content: "Go on." },
      ],
    );
    const answers: string[] = [];
    // Two conversations of one tenant, each turn after the other's: the sequence freed last holds the other one.
    for (const turn of firstTurns) answers.push((await runtime().generate(request(turn), new AbortController().signal, {}, "acme")).text);
    for (const [i, turn] of firstTurns.entries()) {
      const next = request([...turn, { role: "assistant", content: answers[i] ?? "" }, { role: "user", content: "What happened next?" }]);
      const evaluated = await evaluatedOn(runtime(), () => runtime().generate(next, new AbortController().signal, {}, "acme"));
      expect(evaluated).toBeLessThan(runtime().promptTokens(next) / 2);
    }
  });

  it("leaves a conversation its sequence when another only starts the same way", async () => {
    const story: ChatCompletionRequest["messages"] = [
      { role: "user", content: `${PROMPT} One day the ball rolled into the garden next door, where an old man lived alone.` },
      { role: "assistant", content: "Yes." },
      { role: "user", content: "Go on." },
    ];
    const first = await runtime().generate(request(story), new AbortController().signal, {}, "acme");
    // Shares the opening sentence only: taking the sequence that holds `story` would save those few tokens
    // and cost `story`'s next turn all of its own.
    await runtime().generate(request([{ role: "user", content: `${PROMPT.slice(0, 16)} a cat sat on the mat.` }, ...story.slice(1)]), new AbortController().signal, {}, "acme");
    const next = request([...story, { role: "assistant", content: first.text }, { role: "user", content: "What happened next?" }]);
    expect(await evaluatedOn(runtime(), () => runtime().generate(next, new AbortController().signal, {}, "acme"))).toBeLessThan(runtime().promptTokens(next) / 2);
  });
});
