/**
 * Streams one chat completion over HTTP (keep-alive) and times it the way a user sees it: time to
 * the first non-empty content delta, not to the first byte (the role-only opening chunk).
 */
import type { Agent } from "node:http";
import { request } from "node:http";
import type { StreamTiming } from "./local-direct.js";

interface ChunkShape {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
}

export function sseChat(origin: string, headers: Record<string, string>, body: object, agent: Agent): Promise<StreamTiming> {
  const url = new URL("/v1/chat/completions", origin);
  if (url.hostname !== "127.0.0.1") throw new Error(`refusing non-loopback origin ${origin}`);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstAt = Number.NaN;
    let lastAt = startedAt;
    let completionTokens = Number.NaN;
    let text = "";
    let pending = "";
    const onEvent = (event: string) => {
      if (!event.startsWith("data: ")) return;
      const data = event.slice(6);
      if (data === "[DONE]") return;
      const chunk = JSON.parse(data) as ChunkShape;
      const content = chunk.choices?.[0]?.delta?.content;
      if (content) {
        lastAt = performance.now();
        if (Number.isNaN(firstAt)) firstAt = lastAt;
        text += content;
      }
      if (chunk.usage?.completion_tokens !== undefined) completionTokens = chunk.usage.completion_tokens;
    };
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { ...headers, "content-type": "application/json", "content-length": payload.length } },
      (res) => {
        if (res.statusCode !== 200) {
          let answer = "";
          res.setEncoding("utf8").on("data", (part: string) => (answer += part));
          res.on("end", () => reject(new Error(`HTTP ${res.statusCode} from ${origin}: ${answer.slice(0, 500)}`)));
          return;
        }
        res.setEncoding("utf8");
        res.on("data", (part: string) => {
          pending += part;
          let end: number;
          while ((end = pending.indexOf("\n\n")) >= 0) {
            onEvent(pending.slice(0, end));
            pending = pending.slice(end + 2);
          }
        });
        res.on("end", () => resolve({ ttftMs: firstAt - startedAt, totalMs: performance.now() - startedAt, completionTokens, decodeMs: lastAt - firstAt, text }));
        res.on("error", reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}
