/**
 * `/metrics` label sets are bounded by configuration: a client sending arbitrary `model` values or
 * headers must not create new series (each is memory for the life of the process and a new time series
 * in Prometheus), and the exposition must stay parseable whatever the client sent.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

describe("/metrics under hostile input", { timeout: 60_000 }, () => {
  const cloud = fakeCloudGateway({ models: { maxRetries: 2 } });

  const scrape = async () => {
    const response = await fetch(`${cloud.gw.url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  // The gateway's own series (name and labels); Node's process metrics come and go on their own.
  const series = (text: string) =>
    text
      .split("\n")
      .filter((line) => line && !line.startsWith("#") && !/^switchyard_(nodejs|process)_/.test(line))
      .map((line) => line.slice(0, line.lastIndexOf(" ")));

  it("unknown model ids and hostile headers add no series, and the exposition parses", async () => {
    const chat = (model: unknown, headers: Record<string, string> = {}) =>
      fetch(`${cloud.gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
      });
    // Warm every series a refused request can touch.
    await chat("warm-up-unknown");
    await chat(42);
    await chat("warm-up-unknown", { "x-session-id": 's"' });
    await chat("warm-up-unknown\"\n");
    const before = await scrape();
    for (let i = 0; i < 40; i++) {
      const model = i % 2 ? `evil-${i}` : `evil-${i}"} 1\n# TYPE x counter\\`;
      const response = await chat(model, { "x-session-id": `s-${i}"`, "x-tenant": `t${i}<b>` });
      expect(response.status).toBeGreaterThanOrEqual(400);
      await response.arrayBuffer();
    }
    const after = await scrape();
    expect(after).not.toContain("evil-");
    expect(series(after)).toEqual(series(before));
    expect(() => parsePrometheusTextFormat(after)).not.toThrow();
  });
});
