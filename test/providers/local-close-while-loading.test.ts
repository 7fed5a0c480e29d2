/**
 * A shutdown that begins while the local models are still loading stops loading them: `close()`
 * used to wait for every model on the list to load, then unloaded them all, so a SIGTERM during
 * start-up with several multi-GB models outlasted any grace period and the process was killed.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { storiesEntry } from "../support/stories-entry.js";

const MODELS = Array.from({ length: 8 }, (_, i) => ({ ...storiesEntry(), id: `stories${i}` }));
const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, parallel: 2, queue: 4, queue_timeout_ms: 5_000 });

describe("a local provider closed while its models load", () => {
  it("loads no model after close() is called", async () => {
    const lines: string[] = [];
    const provider = new LlamaCppProvider("local", config, MODELS, pino({ level: "info" }, { write: (line: string) => lines.push(line) }));
    const loading = provider.start();
    // The first model has loaded: the shutdown comes in the middle of the list.
    await expect.poll(() => lines.filter((l) => l.includes("local model loaded")).length, { timeout: 60_000 }).toBeGreaterThan(0);
    await provider.close();
    await loading;
    const loaded = lines.filter((l) => l.includes("local model loaded")).length;
    // At most the model being loaded when close() came may still finish (a tiny model loads at once).
    expect(loaded).toBeLessThanOrEqual(2);
  });
});
