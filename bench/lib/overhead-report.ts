/**
 * The markdown report of `npm run bench -- overhead`: one table per response kind, overhead columns
 * computed against the direct row of the same load, then the targets checked.
 */
import type { LoadResult } from "./http-load.js";
import { count, markdownTable, ms, signedMs } from "./markdown.js";
import { summarize, type LatencySummary } from "./stats.js";

export type TargetName = "direct" | "node-proxy" | "sdk-proxy" | "switchyard" | "candidate" | "portkey";

/** Rows that are not gateways: the upstream itself and the reference proxies (bench/lib/reference-proxy.ts). */
const REFERENCES: readonly TargetName[] = ["node-proxy", "sdk-proxy"];

export type Scenario =
  | { id: string; label: string; kind: "closed"; concurrency: number }
  | { id: string; label: string; kind: "open"; ratePerSecond: number };

export interface Cell {
  target: TargetName;
  scenario: Scenario;
  stream: boolean;
  result: LoadResult;
  /** CPU the serving process (the gateway; the upstream for direct) spent per request in the window. */
  serverCpuMsPerRequest: number;
}

export interface RunInfo {
  command: string;
  machine: string;
  /** Which Switchyard code ran. */
  source: string;
  seconds: number;
  logLevel: string;
}

interface Summarised extends Cell {
  total: LatencySummary;
  ttfb: LatencySummary;
}

export function overheadReport(cells: readonly Cell[], run: RunInfo): string {
  const rows = cells.map((cell) => ({
    ...cell,
    total: summarize(cell.result.samples.map((s) => s.totalMs)),
    ttfb: summarize(cell.result.samples.map((s) => s.ttfbMs)),
  }));
  const find = (target: TargetName, scenarioId: string, stream: boolean) =>
    rows.find((r) => r.target === target && r.scenario.id === scenarioId && r.stream === stream);
  const out: string[] = [];
  out.push(`Command: \`${run.command}\`  `);
  out.push(`Machine: ${run.machine}  `);
  out.push(`Switchyard: ${run.source}; Portkey: @portkey-ai/gateway 1.15.2 (hono 4.9.7, @hono/node-server 1.13.5)  `);
  out.push(
    `Each cell: ${run.seconds} s measured after its own warm-up, fresh keep-alive connections; Switchyard log level ${run.logLevel}. ` +
      `Latencies in ms (open loop: from each request's scheduled send time); "+" columns are the same percentile minus direct's under the same load; ` +
      `TTFB is the first response body byte; "server CPU/req" is the CPU time (ms, all threads) of the serving process per request — the gateway's own for Switchyard and Portkey, the fake upstream's for direct. "failed": non-200, network error, 10 s timeout or a stream without \`[DONE]\`; "dropped": open-loop sends skipped because 1,000 requests were already in flight (the target is saturated; their latency is not in the percentiles).`,
  );
  out.push("");
  for (const stream of [false, true]) {
    out.push(stream ? "#### Streaming (SSE)" : "#### Non-streaming");
    out.push("");
    const header = ["load", "target", "req/s", "p50", "p90", "p99", "+p50", "+p90", "+p99"];
    if (stream) header.push("TTFB p50", "TTFB p99", "+TTFB p50", "+TTFB p99");
    header.push("server CPU/req", "failed", "dropped");
    const table = rows
      .filter((r) => r.stream === stream)
      .map((r) => {
        const direct = find("direct", r.scenario.id, stream);
        const delta = (pick: (s: Summarised) => number) => (r.target === "direct" || !direct ? "" : signedMs(pick(r) - pick(direct)));
        const cells = [
          r.scenario.label,
          r.target,
          count(r.result.rps),
          ms(r.total.p50),
          ms(r.total.p90),
          ms(r.total.p99),
          delta((s) => s.total.p50),
          delta((s) => s.total.p90),
          delta((s) => s.total.p99),
        ];
        if (stream) cells.push(ms(r.ttfb.p50), ms(r.ttfb.p99), delta((s) => s.ttfb.p50), delta((s) => s.ttfb.p99));
        cells.push(ms(r.serverCpuMsPerRequest), String(r.result.errors), String(r.result.dropped));
        return cells;
      });
    out.push(markdownTable(header, table));
    out.push("");
  }
  out.push("#### Targets");
  out.push("");
  const present = (t: TargetName) => cells.some((c) => c.target === t);
  const gateways = ([...REFERENCES, "switchyard", "candidate", "portkey"] as TargetName[]).filter(present);
  out.push(markdownTable(["target", ...gateways, "met"], targetRows(find, gateways)));
  out.push("");
  return `${out.join("\n")}\n`;
}

type Finder = (target: TargetName, scenarioId: string, stream: boolean) => Summarised | undefined;

/** The targets; "met" judges Switchyard (this checkout). */
function targetRows(find: Finder, gateways: readonly TargetName[]): string[][] {
  const overhead = (target: TargetName, scenarioId: string, stream: boolean, pick: (s: Summarised) => number) => {
    const through = find(target, scenarioId, stream);
    const direct = find("direct", scenarioId, stream);
    return through && direct ? pick(through) - pick(direct) : Number.NaN;
  };
  const rps = (target: TargetName, stream: boolean) => find(target, "c32", stream)?.result.rps ?? Number.NaN;
  const verdict = (ok: boolean) => (ok ? "yes" : "**no**");
  const row = (label: string, value: (t: TargetName) => number, show: (t: TargetName) => string, ok: (v: number) => boolean) => [
    label,
    ...gateways.map(show),
    verdict(ok(value("switchyard"))),
  ];
  const rows: string[][] = [];
  for (const stream of [false, true]) {
    const kind = stream ? "streaming" : "non-streaming";
    const seq = (t: TargetName) => overhead(t, "sequential", stream, (s) => s.total.p50);
    rows.push(row(`added p50, sequential, ${kind} ≤ 0.5 ms`, seq, (t) => signedMs(seq(t)), (v) => v <= 0.5));
    const open = (t: TargetName) => overhead(t, "rate500", stream, (s) => s.total.p99);
    rows.push(row(`added p99 at 500 req/s, ${kind} ≤ 5 ms`, open, (t) => signedMs(open(t)), (v) => v <= 5));
    const ratio = (t: TargetName) => rps(t, stream) / rps("portkey", stream);
    rows.push(
      row(
        `req/s at c=32, ${kind} ≥ 4× Portkey`,
        ratio,
        (t) => (t === "portkey" ? count(rps(t, stream)) : `${count(rps(t, stream))} (${ratio(t).toFixed(1)}×)`),
        (v) => v >= 4,
      ),
    );
  }
  const ttfb = (t: TargetName) => overhead(t, "sequential", true, (s) => s.ttfb.p50);
  rows.push(row("streaming time to first byte (p50, sequential) within 1 ms of direct", ttfb, (t) => signedMs(ttfb(t)), (v) => v <= 1));
  return rows;
}
