/**
 * A conversation holding a deprecated single function call, cut to fit a model's context window: the
 * call and its `function` result are left out together, so the model never gets a result answering
 * no call (which OpenAI refuses with a 400).
 */
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, upstreamGateway } from "../support/gateway.js";
import { FUNCTIONS, legacyModelsYaml, startLegacyCallUpstream } from "./legacy-call-upstream.js";

const legacy = upstreamGateway(startLegacyCallUpstream, {
  // legacy-gpt with a window of 60 tokens: 26 of them reserved for a 10-token answer and the prompt's framing.
  modelsYaml: (upstream) => legacyModelsYaml(upstream.baseURL).replace("upstream_model: legacy-upstream\n    context_window: 128000", "upstream_model: legacy-upstream\n    context_window: 60"),
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});

describe("a function_call exchange that does not fit the window", () => {
  it("is left out whole, the call with its result", async () => {
    const { response } = await legacy.gw
      .client()
      .chat.completions.create({
        model: "legacy-gpt",
        max_tokens: 10,
        functions: FUNCTIONS,
        messages: [
          { role: "user", content: "Mail the report" },
          // Its text alone is far over the window: the call cannot be kept, so its result must not be either.
          { role: "assistant", content: "I will mail it now. ".repeat(12), function_call: { name: "send_mail", arguments: '{"to":"finance"}' } },
          { role: "function", name: "send_mail", content: "sent" },
          { role: "assistant", content: "Done: sent" },
          { role: "user", content: "Thanks" },
        ],
      })
      .withResponse();
    // The whole exchange goes, its question and final answer too: never an answer without its question.
    expect(legacy.upstream.received[0]!.map((m) => m.role)).toEqual(["user"]);
    expect(response.headers.get("x-switchyard-context-dropped")).toBe("4");
  });
});
