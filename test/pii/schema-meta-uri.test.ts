/**
 * The `openai` client's structured-output helpers (`zodResponseFormat`, `zodFunction`) write the
 * JSON-Schema meta-schema URI into every schema (`"$schema": "http://json-schema.org/draft-07/schema#"`).
 * It names the schema dialect, not anyone: it must not count as personal data (that sent every
 * structured request to the `pii_found: any` rule) nor go out rewritten. Any other `$schema` value is
 * still scanned.
 */
import { zodFunction, zodResponseFormat } from "openai/helpers/zod";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const Answer = z.object({ summary: z.string(), score: z.number() });
const send = (request: object) =>
  createSanitizer({ policy, engine, env: {} }).sanitizeForCloud({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Summarise the contract." }], ...request } as ChatCompletionRequest, {
    vault: new PseudonymVault(),
    tenant: "acme",
  });

const summaryOf = (outcome: ReturnType<typeof send>) => (outcome.kind === "failed" ? undefined : outcome.summary);

describe("the meta-schema URI of a structured-output schema", () => {
  it("is no personal data in a zodResponseFormat schema, and goes out unchanged", () => {
    const responseFormat = zodResponseFormat(Answer, "answer");
    expect(JSON.stringify(responseFormat)).toContain("json-schema.org");
    const outcome = send({ response_format: responseFormat });
    expect(outcome.kind).toBe("cloud");
    expect(summaryOf(outcome)).toEqual([]);
    expect(outcome.kind === "cloud" && outcome.request.response_format).toEqual(JSON.parse(JSON.stringify(responseFormat)));
  });

  it("is no personal data in a strict zodFunction tool", () => {
    const tool = zodFunction({ name: "record_answer", parameters: Answer });
    expect(JSON.stringify(tool)).toContain("json-schema.org");
    const outcome = send({ tools: [tool] });
    expect(summaryOf(outcome)).toEqual([]);
    expect(outcome.kind === "cloud" && outcome.request.tools).toEqual(JSON.parse(JSON.stringify([tool])));
  });

  it("is scanned when it is any other address", () => {
    const schema = { $schema: "https://ann.example.com/private/ann@example.com", type: "object", properties: {} };
    const outcome = send({ response_format: { type: "json_schema", json_schema: { name: "x", schema } } });
    expect(summaryOf(outcome)?.map((entry) => entry.type)).toContain("EMAIL_ADDRESS");
  });
});
