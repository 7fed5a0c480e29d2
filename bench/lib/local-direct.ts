/**
 * The baseline of `npm run bench -- local`: node-llama-cpp called in-process exactly the way
 * Switchyard's local provider calls it (src/providers/local/runtime.ts): one context of `parallel`
 * sequences, a LlamaCompletion per sequence that does not dispose it, the same generation options.
 */
import { getLlama, LlamaCompletion, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";

export interface GenerationParams {
  prompt: string;
  maxTokens: number;
  temperature: number;
}

export interface StreamTiming {
  /** From the call (or request) to the first non-empty piece of answer text. */
  ttftMs: number;
  totalMs: number;
  completionTokens: number;
  /** Time between the first and the last piece of text: the decode phase alone. */
  decodeMs: number;
  text: string;
}

export interface DirectModel {
  generate(params: GenerationParams): Promise<StreamTiming>;
  dispose(): Promise<void>;
}

export async function loadDirectModel(options: { modelPath: string; contextWindow: number; sequences: number; threads: number }): Promise<DirectModel> {
  // build: "never" — like the gateway, never download or compile llama.cpp here.
  const llama: Llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model: LlamaModel = await llama.loadModel({ modelPath: options.modelPath });
  const context: LlamaContext = await model.createContext({
    contextSize: Math.min(options.contextWindow, model.trainContextSize),
    sequences: options.sequences,
    threads: options.threads,
  });
  const completion = new LlamaCompletion({ contextSequence: context.getSequence(), autoDisposeSequence: false });
  return {
    async generate(params) {
      const bos = model.tokens.bos === null ? 0 : 1;
      const promptTokens = model.tokenize(params.prompt).length + bos;
      const startedAt = performance.now();
      let firstAt = Number.NaN;
      let lastAt = startedAt;
      let completionTokens = 0;
      let text = "";
      await completion.generateCompletionWithMeta(params.prompt, {
        signal: new AbortController().signal,
        stopOnAbortSignal: true,
        maxTokens: Math.min(params.maxTokens, context.contextSize - promptTokens),
        temperature: params.temperature,
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (chunk) => {
          if (chunk.length === 0) return;
          lastAt = performance.now();
          if (Number.isNaN(firstAt)) firstAt = lastAt;
          text += chunk;
        },
      });
      const totalMs = performance.now() - startedAt;
      return { ttftMs: firstAt - startedAt, totalMs, completionTokens, decodeMs: lastAt - firstAt, text };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
