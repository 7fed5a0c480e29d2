/**
 * Placeholders inside tool calls come back as the original values in both places the gateway
 * restores them: the cloud's answer (answer stage) and the session's stored turns, which were saved
 * pseudonymized (conversation stage). A function call's arguments are JSON, so a value is put back
 * JSON-escaped there; a custom call's input is free-form text and gets the value as it is.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolCall } from "../../src/api/chat-request.js";
import { SESSION_ID_HEADER } from "../../src/context/headers.js";
import { PseudonymVault } from "../../src/pii/index.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { writeSessionState } from "../../src/pipeline/session-state.js";
import { presentCompletion } from "../../src/pipeline/stages/answer.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import type { ChatCompletion } from "../../src/providers/types.js";
import { memoryStorage } from "../context/support.js";

// A quote and a backslash: written into JSON unescaped they would break the arguments.
const NAME = 'Ann "Nan" Lee\\Smith';

function vaultWithName(): { vault: PseudonymVault; placeholder: string } {
  const vault = new PseudonymVault();
  return { vault, placeholder: vault.placeholderFor("PERSON", NAME) };
}

const calls = (placeholder: string): ToolCall[] => [
  { id: "call_f", type: "function", function: { name: "lookup", arguments: JSON.stringify({ who: placeholder, other: "<PERSON_9>" }) } },
  { id: "call_c", type: "custom", custom: { name: "write_note", input: `note: ${placeholder}` } },
];

/** What the client must see in place of `calls(placeholder)`: the value back, an unknown placeholder left alone. */
function expectRestored(toolCalls: ToolCall[] | undefined): void {
  expect(toolCalls).toHaveLength(2);
  const [fn, custom] = toolCalls!;
  expect(fn).toMatchObject({ id: "call_f", type: "function", function: { name: "lookup" } });
  expect(JSON.parse((fn as Extract<ToolCall, { type: "function" }>).function.arguments)).toEqual({ who: NAME, other: "<PERSON_9>" });
  expect(custom).toEqual({ id: "call_c", type: "custom", custom: { name: "write_note", input: `note: ${NAME}` } });
}

describe("a cloud answer's tool calls", () => {
  it("come back with the placeholders restored", () => {
    const { vault, placeholder } = vaultWithName();
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, finish_reason: "tool_calls", logprobs: null, message: { role: "assistant", content: null, refusal: null, tool_calls: calls(placeholder) } }],
    } as unknown as ChatCompletion;

    const summary = presentCompletion(completion, vault);

    expectRestored(completion.choices[0]!.message.tool_calls as ToolCall[]);
    // The turn kept for the session is the one the client saw.
    expectRestored(summary.message?.role === "assistant" ? summary.message.tool_calls : undefined);
  });
});

describe("a session's stored tool calls", () => {
  it("reach the models with the placeholders restored", async () => {
    const { vault, placeholder } = vaultWithName();
    const storage = memoryStorage();
    const store = await storage.replica();
    const scope = { tenantId: "t1", sessionId: "s1" };
    const stored: ChatMessage = { role: "assistant", content: null, tool_calls: calls(placeholder) };
    await store.save(scope, {
      turns: [{ message: { role: "user", content: `Find ${placeholder}` }, meta: { at: 1 } }, { message: stored, meta: { at: 1 } }],
      state: writeSessionState({ vault, sticky: undefined }),
    });
    const ctx = {
      requestId: "r1",
      tenant: { id: "t1" },
      body: { model: "m", messages: [{ role: "tool", tool_call_id: "call_f", content: "found" }] },
      header: (name: string) => (name === SESSION_ID_HEADER ? "s1" : undefined),
      signal: new AbortController().signal,
      log: pino({ level: "silent" }),
      receivedAt: 0,
    } satisfies ChatRequestContext;

    const conversation = await loadConversation(ctx, store, "sanitized");

    const [first, second] = conversation.request.messages;
    expect(first).toEqual({ role: "user", content: `Find ${NAME}` });
    expectRestored(second?.role === "assistant" ? second.tool_calls : undefined);
    await storage.close();
  });
});
