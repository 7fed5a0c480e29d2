/**
 * The dashboard's script run in a small fake DOM (no browser needed): the script only uses a handful
 * of DOM calls, fetch, sessionStorage, setTimeout and Chart.js's constructor. Every `/v1/usage` call
 * is answered with the same report, typed as the API's so the fake cannot drift from what it serves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import type { UsageReport, UsageSummary } from "../../src/usage/query.js";

const SCRIPT = readFileSync(join(import.meta.dirname, "../../src/usage/dashboard/dashboard.js"), "utf8");
const RANGE_OPTIONS = ["1h", "24h", "7d", "30d"];

export const emptySummary = (): UsageSummary => ({
  requests: 0,
  errors: 0,
  local_requests: 0,
  local_share: 0,
  fallbacks: 0,
  prompt_tokens: 0,
  cached_prompt_tokens: 0,
  completion_tokens: 0,
  cost_usd: 0,
  baseline_cost_usd: 0,
  savings_usd: 0,
  latency_ms: null,
  ttft_ms: null,
  pii_actions: {},
});

export const emptyReport = (granularity: UsageReport["granularity"] = "hour"): UsageReport => ({
  object: "usage.report",
  from: "2025-06-01T00:00:00.000Z",
  to: "2025-06-02T00:00:00.000Z",
  granularity,
  group_by: "route",
  tenant: "acme",
  totals: emptySummary(),
  groups: [],
  series: [],
});

interface FakeElement {
  value: string;
  textContent: string;
  className: string;
}

export interface DrawnChart {
  labels: unknown[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
}

export interface OpenedDashboard {
  fetched: string[];
  timers: number[];
  thrown: unknown;
  status: FakeElement;
  /** The text of the KPI `<output data-kpi="name">`. */
  kpi(name: string): string;
  /** What the script last drew on `<canvas data-chart="name">`, undefined when it draws nothing there. */
  chart(name: string): DrawnChart | undefined;
  /** Picks `value` in the range `<select>` and fires its `change` listeners, as a viewer does. */
  chooseRange(value: string): void;
}

/** Answers the page's `/v1/usage` calls one by one, when the test says (`answer` of openDashboard). */
export type UsageAnswerer = (url: string) => Promise<UsageReport>;

/**
 * Loads the dashboard script at `search` and waits for its first refresh to finish. With `answer`, each
 * `/v1/usage` call gets what it resolves to, and the page is returned at once: the test settles the calls.
 */
export async function openDashboard(search: string, report: UsageReport = emptyReport(), answer?: UsageAnswerer): Promise<OpenedDashboard> {
  const fetched: string[] = [];
  const timers: number[] = [];
  const listeners = new Map<object, Map<string, Array<(event: object) => void>>>();
  const element = () => {
    const self = {
      value: "",
      textContent: "",
      className: "",
      dataset: {},
      addEventListener: (type: string, listener: (event: object) => void) => {
        const byType = listeners.get(self) ?? new Map<string, Array<(event: object) => void>>();
        byType.set(type, [...(byType.get(type) ?? []), listener]);
        listeners.set(self, byType);
      },
    };
    return self;
  };
  let rangeValue = "24h";
  const range = Object.defineProperty(element(), "value", {
    get() {
      return rangeValue;
    },
    // Like a real <select>: a value that is no option's selects nothing.
    set(v: string) {
      rangeValue = RANGE_OPTIONS.includes(v) ? v : "";
    },
  });
  const elements = new Map<string, object>([["#range", range]]);
  const query = (selector: string) => {
    if (!elements.has(selector)) elements.set(selector, element());
    return elements.get(selector);
  };
  const charts = new Map<object, DrawnChart>();
  const document = { querySelector: query, body: { dataset: {} as Record<string, string> } };
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const context = {
    location: { search },
    document,
    sessionStorage: { getItem: () => null, setItem: () => undefined },
    Chart: class {
      data: DrawnChart = { labels: [], datasets: [] };
      constructor(canvas: object) {
        charts.set(canvas, this.data);
      }
      update() {}
    },
    fetch: async (url: string) => {
      fetched.push(url);
      const body = answer ? await answer(url) : report;
      return { ok: true, status: 200, json: async () => structuredClone(body) };
    },
    setTimeout: (_fn: unknown, ms: number) => {
      timers.push(ms);
      settled();
      return timers.length;
    },
    clearTimeout: () => undefined,
    URLSearchParams,
    Date,
    Math,
    Number,
    Object,
    Promise,
    Error,
    encodeURIComponent,
    console,
  };
  let thrown: unknown;
  try {
    runInNewContext(SCRIPT, context);
  } catch (error) {
    thrown = error;
  }
  if (!answer) await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 500))]);
  return {
    fetched,
    timers,
    thrown,
    status: query("#status") as FakeElement,
    kpi: (name) => (query(`[data-kpi="${name}"]`) as FakeElement).textContent,
    chart: (name) => charts.get(query(`canvas[data-chart="${name}"]`)!),
    chooseRange(value) {
      range.value = value;
      for (const listener of listeners.get(range)?.get("change") ?? []) listener({});
    },
  };
}
