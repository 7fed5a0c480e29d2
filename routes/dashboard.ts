/**
 * `GET /dashboard`: the usage dashboard, a static page the gateway serves itself (Chart.js comes from
 * node_modules, never a CDN). The page holds no data: it reads `/v1/usage` with the key the viewer
 * types in, under the same rules as any other client.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";

const PAGE_DIR = join(import.meta.dirname, "../src/usage/dashboard");

interface Asset {
  body: string;
  type: string;
  /** The first 16 hex digits of the body's SHA-256: the page names the asset with it (`?v=`). */
  version: string;
}

/** Everything the page loads comes from this origin; the page talks to nothing else. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function loadAssets(): { page: string; assets: Map<string, Asset> } {
  const chartJsDir = dirname(createRequire(import.meta.url).resolve("chart.js"));
  const read = (file: string) => readFileSync(file, "utf8");
  const asset = (file: string, type: string): Asset => {
    const body = read(file);
    return { body, type, version: createHash("sha256").update(body).digest("hex").slice(0, 16) };
  };
  const assets = new Map([
    ["dashboard.js", asset(join(PAGE_DIR, "dashboard.js"), "text/javascript; charset=utf-8")],
    ["dashboard.css", asset(join(PAGE_DIR, "dashboard.css"), "text/css; charset=utf-8")],
    ["chart.umd.min.js", asset(join(chartJsDir, "chart.umd.min.js"), "text/javascript; charset=utf-8")],
  ]);
  // A new version of an asset is a new URL: a browser never pairs this page with an older script.
  const page = read(join(PAGE_DIR, "index.html")).replace(/"dashboard\/assets\/([^"?]+)"/g, (whole, name: string) => {
    const known = assets.get(name);
    return known ? `"dashboard/assets/${name}?v=${known.version}"` : whole;
  });
  return { page, assets };
}

/** Reads the page and its assets once, when the gateway is built (start-up, not the request path). */
export function dashboardRoutes(): Hono<AppEnv> {
  const { page, assets } = loadAssets();
  const app = new Hono<AppEnv>();
  const security = { "content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
  app.get("/dashboard", (c) => c.body(page, 200, { ...security, "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" }));
  // The page's asset and API paths are relative: served at `/dashboard/` they would miss. A relative
  // Location keeps a reverse proxy's path prefix.
  app.get("/dashboard/", (c) => {
    const query = new URL(c.req.url).search;
    return c.body(null, 301, { location: `../dashboard${query}`, "cache-control": "no-cache" });
  });
  app.get("/dashboard/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) return c.notFound();
    // The URL the page names is this content's for good; any other (a bookmark, an old page) is revalidated.
    const cache = c.req.query("v") === asset.version ? "public, max-age=31536000, immutable" : "no-cache";
    return c.body(asset.body, 200, { ...security, "content-type": asset.type, "cache-control": cache });
  });
  return app;
}
