/**
 * A call to an in-process model that is not ready says whether a retry can help, wherever its error
 * reaches the client (the executor's last failure, the model the client named that was not called):
 * still loading, `model_loading` with Retry-After (it is ready within seconds); failed to load,
 * `model_unavailable` with `x-should-retry: false` (the SDKs would otherwise retry a 503 that only a
 * restart changes).
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { storiesEntry } from "../support/stories-entry.js";

const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, parallel: 1, queue: 1, queue_timeout_ms: 5_000 });
const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 4 };

describe("an in-process model that is not ready", () => {
  it("while loading: model_loading, with Retry-After", async () => {
    const model = storiesEntry();
    const provider = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
    expect(provider.notReady(model)).toMatchObject({ status: 503, code: "model_loading", headers: { "retry-after": "5" } });
    await expect(provider.complete({ model, request, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "model_loading",
      headers: { "retry-after": "5" },
    });
  });

  it("once it failed to load: model_unavailable, not to be retried", { timeout: 60_000 }, async () => {
    const model = { ...storiesEntry(), path: "/nonexistent/model.gguf" };
    const provider = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
    await provider.start();
    expect(provider.notReady(model)).toMatchObject({ status: 503, code: "model_unavailable", headers: { "x-should-retry": "false" } });
    await expect(provider.complete({ model, request, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "model_unavailable",
      headers: { "x-should-retry": "false" },
    });
    await provider.close();
  });
});
