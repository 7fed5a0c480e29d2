/**
 * The floor under `npm run bench -- local`'s "through Switchyard" row: the least a server in its own
 * process can do to stream the same model's answer over HTTP — bare `node:http`, `JSON.parse` of the
 * body, the last message's text as the prompt, node-llama-cpp called exactly as the direct baseline
 * calls it, one SSE frame per piece of text, then a usage frame and `[DONE]`. No auth, validation,
 * pipeline, chat template, accounting or logging: what Switchyard adds on top of this is its own.
 *
 *   node --import tsx bench/lib/local-floor-server.ts <model.gguf> <context-window> <threads> <sequences> <url-file>
 */
import http from "node:http";
import { writeFile } from "node:fs/promises";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";

const [modelPath, contextWindow, threads, sequences, urlFile] = process.argv.slice(2);
if (!modelPath || !contextWindow || !threads || !sequences || !urlFile) {
  process.stderr.write("usage: local-floor-server.ts <model.gguf> <context-window> <threads> <sequences> <url-file>\n");
  process.exit(2);
}

interface FloorRequest {
  messages: { content: string }[];
  max_tokens: number;
  temperature?: number;
}

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({
  contextSize: Math.min(Number(contextWindow), model.trainContextSize),
  sequences: Number(sequences),
  threads: Number(threads),
});
// One sequence is enough: the benchmark sends one request at a time.
const completion = new LlamaCompletion({ contextSequence: context.getSequence(), autoDisposeSequence: false });
const bos = model.tokens.bos === null ? 0 : 1;

const frame = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;

async function answer(body: FloorRequest, res: http.ServerResponse): Promise<void> {
  const prompt = body.messages.at(-1)?.content ?? "";
  const promptTokens = model.tokenize(prompt).length + bos;
  const controller = new AbortController();
  res.once("close", () => controller.abort());
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let completionTokens = 0;
  await completion.generateCompletionWithMeta(prompt, {
    signal: controller.signal,
    stopOnAbortSignal: true,
    maxTokens: Math.min(body.max_tokens, context.contextSize - promptTokens),
    temperature: body.temperature ?? 0,
    onToken: (tokens) => {
      completionTokens += tokens.length;
    },
    onTextChunk: (text) => {
      if (text.length > 0) res.write(frame({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text } }] }));
    },
  });
  res.write(frame({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens } }));
  res.end("data: [DONE]\n\n");
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    answer(JSON.parse(Buffer.concat(chunks).toString("utf8")) as FloorRequest, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy(error as Error);
      else res.writeHead(500).end(String(error));
    });
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  void writeFile(urlFile, `http://127.0.0.1:${address.port}`);
});
process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void context.dispose().then(() => model.dispose()).then(() => llama.dispose()).then(() => process.exit(0));
});
