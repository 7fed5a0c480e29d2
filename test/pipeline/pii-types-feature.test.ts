/**
 * `features.piiTypes` (what `pii_found` reads) holds the entity types the scan found — not the
 * `NON_TEXT_CONTENT` pseudo-type the sanitizer tallies for an image, audio or file part when
 * pii.yaml's `non_text_content.cloud` is not `allow`. That one stays in the PII summary (and the
 * `x-switchyard-pii` header); an image alone is no personal data found.
 */
import { describe, expect, it } from "vitest";
import type { CloudOutcome } from "../../src/pii/index.js";
import { withPiiTypes, type Analysis } from "../../src/pipeline/stages/analyze.js";
import { decide } from "../../src/policy/decide.js";
import { featuresFromRequest } from "../../src/policy/features.js";
import { compile } from "../policy/support.js";

const body = {
  model: "auto",
  messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "What is this?" }, { type: "image_url" as const, image_url: { url: "data:image/png;base64,AAAA" } }] }],
};
const analysisWith = (scan: CloudOutcome): Analysis => ({ cloudScan: () => scan, features: featuresFromRequest(body, { tenant: "acme" }) });

describe("PII types for routing", () => {
  it("an image alone (non_text_content.cloud: keep_local) is no PII found", () => {
    const analysis = analysisWith({ kind: "keep_local", types: ["NON_TEXT_CONTENT"], summary: [{ type: "NON_TEXT_CONTENT", action: "keep_local", count: 1 }] });
    const features = withPiiTypes(analysis.features, analysis);
    expect(features.piiTypes).toEqual([]);
    const policy = compile(`
version: 1
rules:
  - name: personal-data
    when: { pii_found: any }
    then: { route: local, else_deny: { status: 422, code: pii_needs_cloud, message: "This request contains personal data." } }
default: { route: cloud }
`);
    expect(decide(features, policy)).toMatchObject({ kind: "route", rule: "default", route: "cloud" });
  });

  it("an image beside an e-mail address: the e-mail's type only", () => {
    const analysis = analysisWith({
      kind: "keep_local",
      types: ["NON_TEXT_CONTENT"],
      summary: [
        { type: "EMAIL_ADDRESS", action: "pseudonymize", count: 1 },
        { type: "NON_TEXT_CONTENT", action: "keep_local", count: 1 },
      ],
    });
    expect(withPiiTypes(analysis.features, analysis).piiTypes).toEqual(["EMAIL_ADDRESS"]);
  });
});
