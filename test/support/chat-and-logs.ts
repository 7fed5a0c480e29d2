/**
 * One chat request through a test gateway, with what it answered and the log lines it wrote meanwhile:
 * the tests that prove a secret reaches neither the client nor the logs.
 */
import type { TestGateway } from "./gateway.js";

/** @example const r = await chatAndLogs(cloud.gw); expect(r.logs).not.toContain(KEY); */
export async function chatAndLogs(gw: Pick<TestGateway, "url" | "logs">, model = "fake-gpt") {
  const logsBefore = gw.logs.length;
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.text();
  // The error's log line is written as the answer goes out: let it land.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { status: response.status, text, logs: gw.logs.slice(logsBefore).join("\n") };
}
