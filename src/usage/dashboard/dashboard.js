// The usage dashboard: polls /v1/usage with the key typed into the page (kept in sessionStorage,
// so it is forgotten with the tab) and draws the answers with Chart.js, served by the gateway itself.
/* global Chart */
"use strict";

const KEY_STORAGE = "switchyard.usage.key";
const RANGES_MS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
const COLORS = { blue: "#2f6fde", green: "#1f9d6b", orange: "#e07b24", red: "#d64545", purple: "#7a5af5", grey: "#8a93a6" };
const TOP_INTENTS = 8;
const params = new URLSearchParams(location.search);
// The URL is anyone's to write: a refresh that is not a number, or one past what setTimeout holds,
// would fire the timer at once and poll /v1/usage in a loop, so it falls back or is clamped.
const REFRESH_S = { fallback: 15, min: 2, max: 3600 };
const refreshSeconds = Number(params.get("refresh") ?? REFRESH_S.fallback);
const refreshMs = (Number.isFinite(refreshSeconds) ? Math.min(REFRESH_S.max, Math.max(REFRESH_S.min, refreshSeconds)) : REFRESH_S.fallback) * 1000;

const $ = (selector) => document.querySelector(selector);
const canvas = (name) => document.querySelector(`canvas[data-chart="${name}"]`);
// The sign goes before the dollar sign: negative savings (a dearer model than the baseline) read -$0.000120.
// Under a dollar, three significant digits, never in exponent form (toPrecision wrote $5.85e-7 below a micro-dollar),
// and never past the nano-dollar: amounts are whole nano-dollars, so $0.00000000100 would show digits the data lacks.
// "lessPrecision" keeps whichever limit gives fewer digits (Chrome/Edge 106, Firefox 116, Safari 15.4, Node 20);
// an older browser ignores it and falls back to three significant digits. The budget 429's message (budgets/guard.ts)
// writes amounts the same way: keep them in step.
const SMALL_USD = new Intl.NumberFormat("en-US", {
  minimumSignificantDigits: 3,
  maximumSignificantDigits: 3,
  maximumFractionDigits: 9,
  roundingPriority: "lessPrecision",
  useGrouping: false,
});
const usd = (value) => {
  const amount = Math.abs(value);
  return `${value < 0 ? "-" : ""}$${amount >= 1 ? amount.toFixed(2) : SMALL_USD.format(amount)}`;
};

const baseOptions = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  interaction: { mode: "index", intersect: false },
  plugins: { legend: { labels: { boxWidth: 12 } } },
};

function makeChart(name, type, options = {}) {
  return new Chart(canvas(name), { type, data: { labels: [], datasets: [] }, options: { ...baseOptions, ...options } });
}

const charts = {
  spend: makeChart("spend", "line", { scales: { y: { beginAtZero: true } } }),
  tokens: makeChart("tokens", "line", { scales: { y: { beginAtZero: true } } }),
  localShare: makeChart("local-share", "line", { scales: { y: { min: 0, max: 100 } } }),
  intents: makeChart("intents", "bar", { indexAxis: "y", plugins: { legend: { display: false } } }),
  latency: makeChart("latency", "line", { scales: { y: { beginAtZero: true } } }),
  fallbacks: makeChart("fallbacks", "bar", { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
  pii: makeChart("pii", "bar", { indexAxis: "y", plugins: { legend: { display: false } } }),
};

function bucketLabel(iso, granularity) {
  const date = new Date(iso);
  // A day bucket is a UTC day (as in the report and the CSV): in local time, west of UTC, it would read as the day before.
  if (granularity === "day") return date.toLocaleDateString([], { month: "short", day: "numeric", timeZone: "UTC" });
  if (granularity === "hour") return date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

const line = (label, data, color, extra = {}) => ({ label, data, borderColor: color, backgroundColor: `${color}33`, pointRadius: 0, tension: 0.25, ...extra });
const bars = (label, data, color) => ({ label, data, backgroundColor: color });

function setChart(chart, labels, datasets) {
  chart.data.labels = labels;
  chart.data.datasets = datasets;
  chart.update("none");
}

function render(byRoute, byIntent) {
  const { totals, series, granularity } = byRoute;
  const labels = series.map((point) => bucketLabel(point.start, granularity));
  const pick = (fn) => series.map((point) => fn(point.totals));

  setChart(charts.spend, labels, [
    line("Spend", pick((t) => t.cost_usd), COLORS.orange, { fill: true }),
    line("Savings", pick((t) => t.savings_usd), COLORS.green),
    line("Baseline cost", pick((t) => t.baseline_cost_usd), COLORS.grey, { borderDash: [4, 4] }),
  ]);
  // Cached tokens are part of the prompt (billed at a discount): drawn over it, the gap is what was paid in full.
  setChart(charts.tokens, labels, [
    line("Prompt", pick((t) => t.prompt_tokens), COLORS.blue, { fill: true }),
    line("Cached", pick((t) => t.cached_prompt_tokens), COLORS.green, { fill: true }),
  ]);
  setChart(charts.localShare, labels, [
    line("Local", pick((t) => (t.requests === 0 ? null : Math.round(t.local_share * 1000) / 10)), COLORS.blue, { fill: true, spanGaps: true }),
  ]);
  const topIntents = byIntent.groups.slice(0, TOP_INTENTS);
  setChart(charts.intents, topIntents.map((g) => g.key), [bars("Requests", topIntents.map((g) => g.requests), COLORS.purple)]);
  setChart(charts.latency, labels, [
    line("p50", pick((t) => t.latency_ms?.p50 ?? null), COLORS.blue, { spanGaps: true }),
    line("p90", pick((t) => t.latency_ms?.p90 ?? null), COLORS.orange, { spanGaps: true }),
    line("p99", pick((t) => t.latency_ms?.p99 ?? null), COLORS.red, { spanGaps: true }),
    line("TTFT p50", pick((t) => t.ttft_ms?.p50 ?? null), COLORS.green, { spanGaps: true, borderDash: [4, 4] }),
  ]);
  setChart(charts.fallbacks, labels, [bars("Fallbacks", pick((t) => t.fallbacks), COLORS.orange), bars("Errors", pick((t) => t.errors), COLORS.red)]);
  const pii = Object.entries(totals.pii_actions).sort((a, b) => b[1] - a[1]);
  setChart(charts.pii, pii.map(([name]) => name), [bars("Entities", pii.map(([, count]) => count), COLORS.purple)]);

  const kpi = (name, text) => {
    $(`[data-kpi="${name}"]`).textContent = text;
  };
  kpi("requests", totals.requests.toLocaleString());
  kpi("cost", usd(totals.cost_usd));
  kpi("savings", usd(totals.savings_usd));
  kpi("prompt-tokens", totals.prompt_tokens.toLocaleString());
  kpi("cached-prompt-tokens", totals.cached_prompt_tokens.toLocaleString());
  kpi("local-share", `${(totals.local_share * 100).toFixed(1)} %`);
  kpi("p90", totals.latency_ms ? `${Math.round(totals.latency_ms.p90)} ms` : "–");
  kpi("fallbacks", totals.fallbacks.toLocaleString());
}

async function fetchReport(query, key) {
  const response = await fetch(`v1/usage?${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {}, cache: "no-store" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

let timer;
// Picking another range or key starts a load while the previous one may still be waiting: only the
// latest is drawn (and schedules the next poll), or a slow answer for the old range drew over the new one.
let latestLoad = 0;

async function refresh() {
  clearTimeout(timer);
  const load = ++latestLoad;
  const key = sessionStorage.getItem(KEY_STORAGE) ?? "";
  const range = $("#range").value;
  const from = new Date(Date.now() - RANGES_MS[range]).toISOString();
  const status = $("#status");
  try {
    const [byRoute, byIntent] = await Promise.all([
      fetchReport(`from=${encodeURIComponent(from)}&group_by=route`, key),
      fetchReport(`from=${encodeURIComponent(from)}&group_by=intent`, key),
    ]);
    if (load !== latestLoad) return;
    render(byRoute, byIntent);
    const scope = byRoute.tenant === null ? "all tenants" : `tenant ${byRoute.tenant}`;
    status.textContent = `${scope} · ${byRoute.granularity} buckets · updated ${new Date().toLocaleTimeString()}`;
    status.className = "";
    // The range actually drawn (widened to whole buckets), for anyone checking the page's numbers.
    document.body.dataset.from = byRoute.from;
    document.body.dataset.to = byRoute.to;
    document.body.dataset.updated = new Date().toISOString();
  } catch (error) {
    if (load !== latestLoad) return;
    status.textContent = `Could not load usage: ${error.message}`;
    status.className = "error";
  } finally {
    if (load === latestLoad) timer = setTimeout(refresh, refreshMs);
  }
}

$("#key").value = sessionStorage.getItem(KEY_STORAGE) ?? "";
// Own keys only: `in` would take ?range=toString, select no option and stop the page loading.
if (Object.hasOwn(RANGES_MS, params.get("range") ?? "")) $("#range").value = params.get("range");
$("#controls").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY_STORAGE, $("#key").value.trim());
  void refresh();
});
$("#range").addEventListener("change", () => void refresh());
void refresh();
