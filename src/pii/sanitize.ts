/**
 * The PII stage over a whole chat request. Every string that travels with the request is scanned and
 * rewritten according to the policy for its destination: message contents of all roles (`function`
 * included) and their text parts, message names, tool-call arguments (as JSON values), custom tool-call
 * inputs and tool descriptions, tool and response-format schemas, `user`, `metadata`, fields the
 * gateway does not know and the stored history sent along. Only structural strings at their known paths
 * are skipped (walker.ts: roles, types, ids, model and tool names of the shape OpenAI allows, inline
 * binary data).
 */
import type { ChatCompletionRequest, ChatMessage } from "../api/chat-request.js";
import { ConfigError } from "../config/yaml-file.js";
import { SESSION_ID_HEADER } from "../context/headers.js";
import { GatewayError } from "../errors.js";
import { applyActions, entityAction, tenantHashKey, type ActionContext } from "./actions.js";
import { deadlineIn, PiiScanError, type Deadline } from "./budget.js";
import { valueReader } from "./decode.js";
import { markCloudSafe, type CloudSafeMessages, type CloudSafeRequest } from "./cloud-safe.js";
import type { PiiEngine } from "./engine.js";
import { findingsWithKey } from "./key-context.js";
import { resolveOverlaps } from "./resolve.js";
import { MIN_CACHED_CHARS, type ScannedEntities } from "./scan-cache.js";
import type { Destination, PiiAction, PiiPolicy } from "./policy/schema.js";
import { SummaryTally, type PiiSummaryEntry } from "./summary.js";
import type { PseudonymVault } from "./vault.js";
import { placeholdersTypedIn, typedPlaceholders, withTypedPlaceholders } from "./typed-placeholder.js";
import { applyAcrossParts, findingsAcrossParts } from "./text-run.js";
import { PiiNameCollisionError, requestWalker } from "./walker.js";

/** What the name gazetteers find: words a developer's identifier ("London", "Jordan") is made of too. */
const WORD_TYPES: ReadonlySet<string> = new Set(["PERSON", "LOCATION"]);

export interface SanitizeOptions {
  /** The conversation's vault: the same value gets the same placeholder across its turns. */
  vault: PseudonymVault;
  /** Scope of `hash`: equal values hash alike within a tenant only. */
  tenant: string;
  /** Stored conversation context the pipeline sends along with the request. */
  history?: readonly ChatMessage[];
  /**
   * The action a routing rule sets for this route (`pii:` in routing.yaml), replacing pii.yaml's
   * action for every entity type found. The hash action still needs its key configured.
   */
  override?: PiiAction;
}

export type CloudOutcome =
  | { kind: "cloud"; request: CloudSafeRequest; history: CloudSafeMessages; summary: PiiSummaryEntry[] }
  /** A `keep_local` rule fired: answer locally (sanitize again with `sanitizeForLocal`). */
  | { kind: "keep_local"; types: string[]; summary: PiiSummaryEntry[] }
  /**
   * A `block` rule fired: answer with `error` (400, names the types, never the values); or two keys
   * would go out under one name (`PiiNameCollisionError`, 400, no types).
   */
  | { kind: "blocked"; types: string[]; error: PiiBlockedError | PiiNameCollisionError; summary: PiiSummaryEntry[] }
  /** The scan failed: nothing may go to the cloud. `fallback` is the policy's `scan.on_failure`. */
  | { kind: "failed"; fallback: "refuse" | "local"; error: GatewayError; cause: PiiScanError };

export type LocalOutcome =
  /**
   * `placeholders`: whether the request may carry placeholders the gateway made (the scan ran), so the
   * answer's are the vault's to restore; false when it went out as the client sent it.
   */
  | { kind: "local"; request: ChatCompletionRequest; history: ChatMessage[]; summary: PiiSummaryEntry[]; placeholders: boolean }
  | { kind: "blocked"; types: string[]; error: PiiBlockedError | PiiNameCollisionError; summary: PiiSummaryEntry[] }
  | { kind: "failed"; fallback: "refuse"; error: GatewayError; cause: PiiScanError };

/**
 * The 400 of a `block` rule. It carries the scan's summary (types, actions, counts; never values) to
 * the pipeline, which reports and counts a refused request's PII actions like those of an answered one.
 */
export class PiiBlockedError extends GatewayError {
  /**
   * `param`: the request field holding the first blocked finding (`messages[2]`, `metadata`); null for a
   * field the gateway does not know. `inHistory`: that finding is in the session's stored history, which
   * nothing in the request can change.
   */
  constructor(
    readonly types: string[],
    readonly summary: PiiSummaryEntry[],
    param: string | null = "messages",
    inHistory = false,
  ) {
    const what = types.join(", ");
    super(
      inHistory
        ? `The session's stored history (${SESSION_ID_HEADER}) holds data the PII policy does not allow to be sent: ${what}. Nothing in this request can change that: continue the session with a model on this host, or start a new session (DELETE /v1/sessions/{id} erases this one).`
        : `The request contains data the PII policy does not allow to be sent: ${what}.`,
      { status: 400, type: "invalid_request_error", code: "pii_blocked", param },
    );
  }

  /** The index of the message holding the first blocked finding, when `param` names one (`messages[2]`). */
  get messageIndex(): number | undefined {
    const at = this.param === null ? null : /^messages\[(\d+)\]$/.exec(this.param);
    return at ? Number(at[1]) : undefined;
  }

  /** The same refusal naming the message at `index`, or the session's stored history when it has none. */
  atMessage(index: number | undefined): PiiBlockedError {
    return index === undefined ? new PiiBlockedError(this.types, this.summary, SESSION_ID_HEADER, true) : new PiiBlockedError(this.types, this.summary, `messages[${index}]`);
  }
}

export interface Sanitizer {
  /**
   * pii.yaml's `context_storage`: whether stored messages hold the session's placeholders (`sanitized`)
   * and are restored when read, or are kept as sent (`raw`) and read back as stored.
   */
  readonly contextStorage: "raw" | "sanitized";
  sanitizeForCloud(request: ChatCompletionRequest, options: SanitizeOptions): CloudOutcome;
  sanitizeForLocal(request: ChatCompletionRequest, options: SanitizeOptions): LocalOutcome;
  /**
   * Messages as the context store keeps them (`context_storage` in pii.yaml): unchanged for `raw`;
   * for `sanitized`, their cloud form, with anything the cloud rules block or keep local redacted.
   * Undefined when they could not be scanned: then they must not be stored.
   */
  sanitizeForStorage(messages: readonly ChatMessage[], options: SanitizeOptions): ChatMessage[] | undefined;
}

export interface SanitizerDeps {
  policy: PiiPolicy;
  engine: PiiEngine;
  /** Where the hash key is read from (`policy.hash.key_env`); read once, here. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * @example
 * const sanitizer = createSanitizer({ policy, engine, env: process.env });
 * const outcome = sanitizer.sanitizeForCloud(request, { vault, tenant: "acme" });
 * if (outcome.kind === "cloud") await cloud.complete(outcome.request);
 */
export function createSanitizer(deps: SanitizerDeps): Sanitizer {
  const { policy, engine } = deps;
  const usesHash = [policy.defaults, ...Object.values(policy.entities)].some((r) => r.local === "hash" || r.cloud === "hash");
  const secret = deps.env[policy.hash.key_env];
  if (usesHash && !secret) {
    throw new ConfigError([
      { file: "environment", line: 0, col: 0, path: policy.hash.key_env, message: "must be set: the PII policy uses the hash action" },
    ]);
  }
  const allowsAll = (destination: Destination) =>
    [policy.defaults, ...Object.values(policy.entities)].every((r) => (r[destination] ?? policy.defaults[destination]) === "allow");

  function run(request: ChatCompletionRequest, options: SanitizeOptions, destination: Destination) {
    const tally = new SummaryTally();
    const ctx: ActionContext = {
      policy,
      destination,
      vault: options.vault,
      tenantHashKey: usesHash && secret ? tenantHashKey(secret, options.tenant) : null,
      tally,
      override: options.override,
    };
    // A placeholder typed anywhere in the conversation is never given to a value, also one found
    // before the text that types it (typed-placeholder.ts).
    placeholdersTypedIn([request, options.history ?? []], (placeholder) => options.vault.reserve(placeholder));
    const deadline = deadlineIn(policy.scan.budget_ms);
    // Arrays of records repeat their keys and many values ("type", "qty", "USD") thousands of times, and
    // short texts are not kept by the engine's cache: remember their findings for this request.
    const seen = new Map<string, ScannedEntities>();
    const scanned = (text: string) => {
      if (text.length >= MIN_CACHED_CHARS) return engine.scan(text, deadline, options.tenant);
      let found = seen.get(text);
      if (found === undefined) seen.set(text, (found = engine.scan(text, deadline, options.tenant)));
      return found;
    };
    // Read against the vault as it stands when the text is reached: a placeholder this request hands
    // out for an earlier message's value counts too.
    const leavesText = (type: string) => entityAction(ctx, type) === "allow";
    const scan = (text: string) => withTypedPlaceholders(scanned(text), typedPlaceholders(text, options.vault), leavesText);
    const walker = requestWalker({
      text: (text) => (text.length === 0 ? text : applyActions(text, scan(text), ctx)),
      value: (text, key) => applyActions(text, findingsWithKey(scan, text, key), ctx),
      textParts: (parts) => {
        // Values are read in the parts joined, as the model reads them (the `?` of a query, the header of a
        // quoted-printable mail may stand in an earlier part).
        const reader = valueReader(parts.join(""));
        return applyAcrossParts(parts, findingsAcrossParts(parts, scan), (entity, value) =>
          applyActions(value, [{ ...entity, start: 0, end: value.length }], ctx, (start, end, spaces) => reader(entity.start + start, entity.start + end, spaces)),
        );
      },
      textAlsoRead(text, readings, toText) {
        const others = readings.flatMap((reading) => scan(reading).map((entity) => ({ ...entity, start: toText(entity.start), end: toText(entity.end) })));
        return applyActions(text, resolveOverlaps([...scan(text), ...others]), ctx);
      },
      identifierName: (name) => {
        const found = scan(name);
        return found.every((entity) => WORD_TYPES.has(entity.type)) ? name : applyActions(name, found, ctx);
      },
      field: (name) => tally.within(name),
      nonText(kind) {
        if (destination === "cloud" && policy.non_text_content.cloud !== "allow") tally.add(kind, policy.non_text_content.cloud);
      },
      // The answer may repeat the name's alias without brackets: restoring looks for that form too.
      bareName: (sanitized) => options.vault.handedOutBare(sanitized),
      // An address with personal data inside is typed after it (an email in a URL makes the whole URL an email).
      imageAddress: (url) => applyActions(url, scan(url).filter((entity) => entity.type !== "URL"), ctx),
    });
    const sanitized = walker.request(request);
    tally.within("messages");
    const history = (options.history ?? []).map(walker.message);
    return { sanitized, history, tally, deadline };
  }

  function blockedOutcome(tally: SummaryTally) {
    const types = tally.typesWith("block");
    const summary = tally.entries();
    return { kind: "blocked" as const, types, error: new PiiBlockedError(types, summary, tally.blockedIn), summary };
  }

  return {
    contextStorage: policy.context_storage,
    sanitizeForCloud(request, options) {
      try {
        const { sanitized, history, tally } = run(request, options, "cloud");
        if (tally.typesWith("block").length > 0) return blockedOutcome(tally);
        const keepLocal = tally.typesWith("keep_local");
        if (keepLocal.length > 0) return { kind: "keep_local", types: keepLocal, summary: tally.entries() };
        return { kind: "cloud", request: markCloudSafe(sanitized), history: markCloudSafe(history), summary: tally.entries() };
      } catch (error) {
        if (error instanceof PiiNameCollisionError) return collisionOutcome(error);
        return { kind: "failed", fallback: policy.scan.on_failure, ...scanFailure(error) };
      }
    },
    sanitizeForStorage(messages, options) {
      if (policy.context_storage === "raw") return [...messages];
      const request = { model: "context-storage", messages: [...messages] } as ChatCompletionRequest;
      try {
        const first = run(request, options, "cloud");
        const refused = first.tally.typesWith("block").length > 0 || first.tally.typesWith("keep_local").length > 0;
        return (refused ? run(request, { ...options, override: "redact" }, "cloud") : first).sanitized.messages;
      } catch {
        return undefined;
      }
    },
    sanitizeForLocal(request, options) {
      // The default local policy allows everything: nothing to do, and nothing to pay for a scan.
      if (options.override === undefined && allowsAll("local")) return { kind: "local", request, history: [...(options.history ?? [])], summary: [], placeholders: false };
      try {
        const { sanitized, history, tally } = run(request, options, "local");
        if (tally.typesWith("block").length > 0) return blockedOutcome(tally);
        return { kind: "local", request: sanitized, history, summary: tally.entries(), placeholders: true };
      } catch (error) {
        if (error instanceof PiiNameCollisionError) return collisionOutcome(error);
        return { kind: "failed", fallback: "refuse", ...scanFailure(error) };
      }
    },
  };
}

function collisionOutcome(error: PiiNameCollisionError) {
  return { kind: "blocked" as const, types: [], error, summary: [] };
}

function scanFailure(error: unknown): { error: GatewayError; cause: PiiScanError } {
  const cause =
    error instanceof PiiScanError ? error : new PiiScanError("recognizer_error", "PII sanitizer failed", { cause: error });
  const gatewayError = new GatewayError("The request could not be checked for personal data, so it was not sent.", {
    status: cause.reason === "text_too_long" ? 413 : 503,
    type: cause.reason === "text_too_long" ? "invalid_request_error" : "server_error",
    code: "pii_scan_failed",
    cause,
  });
  return { error: gatewayError, cause };
}
