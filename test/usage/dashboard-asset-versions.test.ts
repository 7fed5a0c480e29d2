/**
 * After an upgrade, a browser paired the new page with the old script for up to five minutes: the
 * assets were cached by name (`max-age=300`) and their names never changed. The page now names each
 * asset with a digest of its content, so a new version is a new URL, and such a URL is cached for
 * good; an asset asked for without the current digest is revalidated every time.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dashboardRoutes } from "../../routes/dashboard.js";

const app = dashboardRoutes();

async function pageAssetUrls(): Promise<string[]> {
  const page = await (await app.request("/dashboard")).text();
  return [...page.matchAll(/(?:src|href)="(dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

describe("the dashboard's assets", () => {
  it("are named in the page with a digest of what is served", async () => {
    const urls = await pageAssetUrls();
    expect(urls.map((u) => u.replace(/\?.*/, ""))).toEqual(["dashboard/assets/dashboard.css", "dashboard/assets/chart.umd.min.js", "dashboard/assets/dashboard.js"]);
    for (const url of urls) {
      const res = await app.request(`/${url}`);
      expect(res.status).toBe(200);
      const digest = createHash("sha256").update(await res.text()).digest("hex");
      expect(new URL(url, "https://gw.example/").searchParams.get("v"), url).toBe(digest.slice(0, 16));
      expect(res.headers.get("cache-control"), url).toContain("immutable");
    }
  });

  it("asked for by name alone (or with an old digest) are revalidated, not kept for minutes", async () => {
    for (const path of ["/dashboard/assets/dashboard.js", "/dashboard/assets/dashboard.js?v=0000000000000000"]) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
    }
  });
});
