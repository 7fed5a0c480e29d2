/**
 * A chat request to a test gateway whose in-process model has one slot and no queue, and a way to run
 * another request while a long local stream holds that slot (so the local model refuses at once).
 */
import { expect } from "vitest";

/** POSTs a chat request for `stories` (the in-process model), overridden by `body`, with `key`. */
export function chatAs(url: string, key: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 5, ...body }),
    signal,
  });
}

/** Runs `ask` while a long local stream, sent with `holderKey`, holds the only slot. */
export async function whileLocalBusy<T>(url: string, holderKey: string, ask: () => Promise<T>): Promise<T> {
  const holding = new AbortController();
  // The previous holder's slot is freed shortly after its client left.
  const deadline = Date.now() + 5000;
  let holder = await chatAs(url, holderKey, { max_tokens: 1900, stream: true }, holding.signal);
  while (holder.status === 503 && Date.now() < deadline) {
    await holder.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
    holder = await chatAs(url, holderKey, { max_tokens: 1900, stream: true }, holding.signal);
  }
  expect(holder.status).toBe(200);
  // Held by the local model, not answered by a fallback.
  expect(holder.headers.get("x-switchyard-route")).toBe("local");
  const reader = holder.body!.getReader();
  await reader.read();
  try {
    return await ask();
  } finally {
    holding.abort();
    await reader.cancel().catch(() => undefined);
  }
}
