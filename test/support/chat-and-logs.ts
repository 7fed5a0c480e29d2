/**
 * One chat request through a test gateway, with what it answered and the log lines it wrote meanwhile:
 * the tests that prove a secret reaches neither the client nor the logs.
 */
import type { TestGateway } from "./gateway.js";
import { until } from "./until.js";

/**
 * `logs` holds the request's lines up to its access log line (written once the answer has gone out), so
 * that a test saying a secret is not in them has read the error's line too.
 *
 * @example const r = await chatAndLogs(cloud.gw); expect(r.logs).not.toContain(KEY);
 */
export async function chatAndLogs(gw: Pick<TestGateway, "url" | "logs">, model = "fake-gpt") {
  const logsBefore = gw.logs.length;
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.text();
  const requestId = response.headers.get("x-request-id");
  const mine = () => gw.logs.slice(logsBefore).filter((line) => requestId !== null && line.includes(requestId));
  await until(() => mine().some((line) => line.includes('"status":')), 10_000);
  return { status: response.status, text, logs: mine().join("\n") };
}
