/**
 * Alerts and dashboards are written from the docs: a metric the docs name must be one `/metrics`
 * serves, with the labels docs/USAGE.md's table gives it, and every metric it serves must be named
 * somewhere a user can find it. The registry is built with every optional source connected (Redis,
 * a server pool, the context store), so conditional metrics are there too.
 */
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/usage/metrics.js";
import { namesInDocs, readDoc } from "../support/docs-text.js";

const metrics = createMetrics({
  processMetrics: false,
  localQueueDepth: () => ({ local: 0 }),
  redisUp: () => true,
  usageRecorder: () => ({ buffered: 0, written: 0, dropped: 0, failedWrites: 0, lastError: null }),
  policyVersion: () => "0123456789ab",
  poolServers: () => ({ pool: [{ url: "http://a:8081/v1", inFlight: 0, ejections: 0 }] }),
  contextStore: () => ({ state: "ready", counters: { loads: 0, readOnlyLoads: 0, saves: 0, degradedLoads: 0, degradedSaves: 0, trimmedTurns: 0, evictedSessions: 0 } }),
});
const served = new Map(metrics.registry.getMetricsAsArray().map((m) => [m.name, [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])]]));
/** prom-client's process metrics, which `processMetrics: false` leaves out, are named by prefix. */
const DEFAULT_METRIC_PREFIXES = ["switchyard_process_", "switchyard_nodejs_"];
/** `switchyard_pool_server_*` names a family; a bare name must be served. */
const named = namesInDocs(/\bswitchyard_[a-z0-9_]*[a-z0-9](?:_\*)?/g);

describe("metrics in the docs", () => {
  it("names only metrics /metrics serves", () => {
    expect(served.size).toBeGreaterThan(20);
    const unknown = [...named].filter(([name]) => {
      if (name.endsWith("_*")) {
        const prefix = name.slice(0, -1);
        return !DEFAULT_METRIC_PREFIXES.includes(prefix) && ![...served.keys()].some((m) => m.startsWith(prefix));
      }
      return !served.has(name);
    });
    expect(unknown.map(([name, doc]) => `${name} (${doc})`)).toEqual([]);
  });

  it("names every metric /metrics serves", () => {
    expect([...served.keys()].filter((name) => !named.has(name))).toEqual([]);
  });

  it("gives each metric in docs/USAGE.md's table the labels it has", () => {
    const rows = readDoc("docs/USAGE.md")
      .split("\n")
      .filter((line) => line.startsWith("| `switchyard_"))
      .map((line) => line.split(" | "));
    expect(rows.length).toBeGreaterThan(15);
    const wrong: string[] = [];
    for (const cells of rows) {
      const names = [...cells[0]!.matchAll(/`(switchyard_[a-z0-9_]+)`/g)].map((m) => m[1]!);
      const documented = (cells.at(-1) ?? "").replace(/\|\s*$/, "").replace(/\(.*\)/, "").split(",").map((l) => l.trim()).filter(Boolean);
      for (const name of names) {
        const labels = served.get(name);
        if (labels && labels.join(",") !== documented.join(",")) wrong.push(`${name}: docs ${documented.join(",") || "none"}, served ${labels.join(",") || "none"}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
