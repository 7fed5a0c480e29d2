/**
 * `/dashboard/` (a trailing slash, as people type it or a bookmark keeps it) answered a JSON 404
 * "Unknown path"; the page itself cannot be served there, since its relative asset and API paths
 * would resolve under `/dashboard/`. It now redirects to the page, relatively, so a gateway behind a
 * reverse proxy's path prefix lands on its own page, and the query (`?range=7d`) is kept.
 */
import { describe, expect, it } from "vitest";
import { dashboardRoutes } from "../../routes/dashboard.js";

describe("the dashboard with a trailing slash", () => {
  it("redirects to the page, keeping the query", async () => {
    const res = await dashboardRoutes().request("/dashboard/?range=7d&refresh=30");
    expect(res.status).toBe(301);
    const location = res.headers.get("location")!;
    expect(new URL(location, "https://gw.example/prefix/dashboard/").href).toBe("https://gw.example/prefix/dashboard?range=7d&refresh=30");
  });

  it("redirects without a query too", async () => {
    const res = await dashboardRoutes().request("/dashboard/");
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("location")!, "https://gw.example/dashboard/").href).toBe("https://gw.example/dashboard");
  });
});
