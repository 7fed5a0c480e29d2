/**
 * An upstream speaking the deprecated single function call, for session tests: a request whose last
 * message is a `function` result is answered in text; any other is answered by calling
 * `send_mail({"to": <last user message>})`, as `message.function_call` or, streamed, as
 * `delta.function_call` in pieces of 3 characters. Streams carry no usage (as when a client does not
 * ask for `stream_options.include_usage`), so the gateway has to count the answer itself.
 */
import type { ServerResponse } from "node:http";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway, type TestGatewayOptions } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";

export interface SentMessage {
  role: string;
  content?: unknown;
  name?: string;
  function_call?: { name: string; arguments: string };
  tool_calls?: unknown;
}

export interface LegacyCallUpstream {
  baseURL: string;
  /** The message lists the upstream received, one per request. */
  received: SentMessage[][];
  close(): Promise<void>;
}

export const FUNCTIONS = [{ name: "send_mail", description: "Sends a mail.", parameters: { type: "object", properties: { to: { type: "string" } } } }];

const BASE = { id: "chatcmpl-legacy", created: 1_700_000_000, model: "legacy-upstream" };

/**
 * Writes one answer in the legacy shape: `call` as `message.function_call` or, streamed, as
 * `delta.function_call` in pieces of 3 characters; without a call, `text`. Streams carry no usage.
 */
export function writeLegacyAnswer(
  res: ServerResponse,
  stream: boolean | undefined,
  answer: { call?: { name: string; arguments: string }; text: string | null; finishReason: string },
): void {
  const { call, text, finishReason } = answer;
  if (!stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ...BASE,
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null, ...(call ? { function_call: call } : {}) }, finish_reason: finishReason, logprobs: null }],
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (call) {
    res.write(chunkFrame(BASE, { role: "assistant", content: null, function_call: { name: call.name, arguments: "" } }, null));
    // Pieces of 3 characters split a placeholder, which the gateway holds back and rejoins.
    for (const piece of call.arguments.match(/[\s\S]{1,3}/g) ?? []) res.write(chunkFrame(BASE, { function_call: { arguments: piece } }, null));
  } else {
    res.write(chunkFrame(BASE, { role: "assistant", content: text }, null));
  }
  res.write(chunkFrame(BASE, {}, finishReason));
  res.end("data: [DONE]\n\n");
}

export async function startLegacyCallUpstream(): Promise<LegacyCallUpstream> {
  const received: SentMessage[][] = [];
  const upstream = await startRawUpstream((raw, res) => {
    const body = JSON.parse(raw) as { stream?: boolean; messages: SentMessage[] };
    received.push(body.messages);
    const last = body.messages.at(-1);
    const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
    const call = last?.role === "function" ? undefined : { name: "send_mail", arguments: JSON.stringify({ to: typeof lastUser?.content === "string" ? lastUser.content : "" }) };
    writeLegacyAnswer(res, body.stream, { call, text: call ? null : `Done: ${String(last?.content)}`, finishReason: call ? "function_call" : "stop" });
  });
  return { baseURL: upstream.baseURL, received, close: () => upstream.close() };
}

/**
 * The test models plus two served by the legacy-call upstream: `legacy-gpt` in the cloud, and
 * `legacy-local`, an on-host server with tools (pii.yaml's local rules apply to it). `onHost: false`
 * leaves `legacy-local` out.
 */
export function legacyModelsYaml(upstreamBaseURL: string, options: { onHost?: boolean } = {}): string {
  const onHost = options.onHost ?? true;
  const onHostProvider = `  legacy-onhost:
    type: openai_compatible
    base_url: ${upstreamBaseURL}
    location: local
    timeout_ms: 5000
    max_retries: 0
`;
  const onHostModel = `  legacy-local:
    provider: legacy-onhost
    upstream_model: legacy-upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
`;
  return testModelsYaml({ cloudBaseURL: upstreamBaseURL, maxRetries: 0 }).replace(
    "models:\n",
    `  legacy:
    type: openai_compatible
    base_url: ${upstreamBaseURL}
    api_key_env: FAKE_CLOUD_KEY
    timeout_ms: 5000
    max_retries: 0
${onHost ? onHostProvider : ""}models:
  legacy-gpt:
    provider: legacy
    upstream_model: legacy-upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
${onHost ? onHostModel : ""}`,
  );
}

/**
 * For one test file (or describe block): the legacy-call upstream and a gateway on `legacyModelsYaml`
 * with no fallbacks (NO_FALLBACK_ROUTING unless `gateway.files` brings its own routing.yaml).
 *
 * @example const legacy = legacyCallGateway({ env: { SWITCHYARD_API_KEYS: `usage=${KEY}` } });
 */
export function legacyCallGateway(gateway: Omit<TestGatewayOptions, "modelsYaml"> = {}) {
  return upstreamGateway(startLegacyCallUpstream, {
    modelsYaml: (upstream) => legacyModelsYaml(upstream.baseURL),
    gateway: { ...gateway, files: { "routing.yaml": NO_FALLBACK_ROUTING, ...gateway.files } },
  });
}
