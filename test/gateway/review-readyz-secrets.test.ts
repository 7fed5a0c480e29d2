/**
 * `GET /readyz` is unauthenticated (load balancers call it), and a cloud provider reports its base URL
 * there so ops can see where it points. A base URL may carry credentials — `https://user:pass@proxy/v1`
 * for a proxy behind basic auth, or a key in its query string — and those must not be shown to anyone
 * who can reach the port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

describe("/readyz with a cloud base URL holding credentials", { timeout: 60_000 }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: "http://switchyard:pr0xy@s3cret@127.0.0.1:9/v1?api-key=qu3ry-s3cret", localPath: "/nonexistent/model.gguf" }),
    });
  });
  afterAll(() => gw?.close());

  it("shows where the provider points, without the user, password or query", async () => {
    const response = await fetch(`${gw.url}/readyz`);
    const text = await response.text();
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("switchyard:");
    const body = JSON.parse(text) as { components: Record<string, { state: string; detail: string }> };
    expect(body.components["provider:fake"]?.state).toBe("ready");
    expect(body.components["provider:fake"]?.detail).toContain("127.0.0.1:9/v1");
  });
});
