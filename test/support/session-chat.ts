/**
 * Chat requests of one session (`x-session-id`) against a test gateway, and the two context stores a
 * session test runs on: behaviour that depends on where sessions are kept must hold on both.
 */
import { expect, inject } from "vitest";
import type { TestGateway } from "./gateway.js";

export type Message = { role: "user" | "assistant"; content: string };
export const user = (content: string): Message => ({ role: "user", content });
export const assistant = (content: string): Message => ({ role: "assistant", content });

/**
 * For `describe.each`: the in-memory store, and Redis (the server the test run started). Redis gets
 * a generous command bound: these tests check what is stored, and on a loaded machine the default
 * 100 ms bound turns a slow load into a degraded one (no context, no save) at random.
 */
export const sessionBackends = () => [
  { backend: "memory", env: {} as Record<string, string> },
  { backend: "redis", env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" } as Record<string, string> },
];

/** `post` sends a `cloud` chat completion in `session`; `chat` sends one and expects its answer. */
export function sessionChat(gw: () => TestGateway) {
  const post = (session: string, messages: Message[], stream = false) =>
    fetch(`${gw().url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "cloud", messages, stream }),
    });
  async function chat(session: string, messages: Message[]): Promise<void> {
    const response = await post(session, messages);
    expect(response.status).toBe(200);
    await response.text();
  }
  return { post, chat };
}
