/**
 * `GET /readyz` is what load balancers and orchestrators gate traffic on. A gateway with no model that
 * can answer (no GGUF, no cloud key) must say 503: the context store being up does not make it ready.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

describe("/readyz with no route able to answer", { timeout: 60_000 }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1", localPath: "/nonexistent/model.gguf" }),
      env: { FAKE_CLOUD_KEY: "" },
    });
  });
  afterAll(() => gw?.close());

  it("is 503 not_ready, even though the context store is ready", async () => {
    const response = await fetch(`${gw.url}/readyz`);
    const body = (await response.json()) as { status: string; components: Record<string, { state: string }> };
    expect(body.components["provider:local"]?.state).toBe("unavailable");
    expect(body.components["provider:fake"]?.state).toBe("unavailable");
    expect(body.components.context?.state).toBe("ready");
    expect(body.status).toBe("not_ready");
    expect(response.status).toBe(503);
  });
});
